/* Destination names as Forklift makes them: the DNS-1123 VM name
 * (ChangeVmName) and PVC names from pvcNameTemplate (GetPVCNameTemplate,
 * ValidatePVCNameTemplate in pkg/controller/plan/adapter/base/template.go),
 * a Go template over .VmName, .TargetVmName, .PlanName, .DiskIndex, .VmId,
 * ... rendered by lib/gotmpl. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotmpl.h"
#include "sim.h"

bool sim_dns1123_label(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

static bool dns1123_subdomain(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			return false;
	return isalnum((unsigned char)s[0]) && isalnum((unsigned char)s[n - 1]);
}

void sim_vm_newname(const char *name, char *out, size_t outsz)
{
	char tmp[512];
	size_t n = 0;

	if (dns1123_subdomain(name)) {
		snprintf(out, outsz, "%s", name);
		return;
	}
	for (const char *p = name; *p && n + 1 < sizeof(tmp); p++) {
		char c = (char)tolower((unsigned char)*p);
		if (strchr("_+* /\\", c))
			c = '-';
		if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '.'))
			continue;
		if (c == '-' && n > 0 && tmp[n - 1] == '-')
			continue;
		tmp[n++] = c;
	}
	tmp[n] = '\0';
	/* trim '.' and '-' at both ends */
	{
		char *s = tmp;
		while (*s == '-' || *s == '.')
			s++;
		n = strlen(s);
		while (n && (s[n - 1] == '-' || s[n - 1] == '.'))
			s[--n] = '\0';
		if (n > 63)
			s[63] = '\0';
		snprintf(out, outsz, "%s", *s ? s : "vm-0000");
	}
}

/* ---- PVC names from pvcNameTemplate ----
 *
 * The template is rendered by lib/gotmpl, the engine mtv-check-vms predicts
 * names with, so the sim and the steps read a template the same way. */

int sim_gotmpl(const char *tmpl, const cJSON *data, char *out, size_t outsz)
{
	struct buf b = BUF_INIT(GOTMPL_VALUE_MAX);
	struct mtv_err err;
	const char *s;
	size_t n;

	if (gotmpl_render(tmpl, data, &b, &err) < 0) {
		buf_release(&b);
		return -1;
	}
	/* whitespace-trimmed, as Forklift's ValidateAndExecuteTemplate does */
	s = buf_str(&b);
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	snprintf(out, outsz, "%.*s", (int)n, s);
	buf_release(&b);
	return 0;
}

const char *sim_pvc_template(const cJSON *plan, const cJSON *pvm, const cJSON *fc_spec, bool ocp)
{
	const char *t = json_str(pvm, "pvcNameTemplate", "");

	if (!*t)
		t = json_str(plan, "spec.pvcNameTemplate", "");
	if (!*t)
		t = json_str(fc_spec, ocp ? "controller_ocp_pvc_name_template" : "controller_pvc_name_template", "");
	if (!*t)
		t = ocp ? "{{.SourcePVCName}}" : "{{trunc 15 .PlanName}}-{{trunc 15 .TargetVmName}}-disk-{{.DiskIndex}}";
	return t;
}

cJSON *sim_pvc_template_data(const cJSON *vm, const cJSON *disk, int src_pos, const cJSON *wprov, const char *target,
			     const char *plan_name, const char *vmid, int idx)
{
	cJSON *data = cJSON_CreateObject();
	const char *f = json_str(disk, "file", ""), *slash = strrchr(f, '/');
	char src_pvc[300];

	snprintf(src_pvc, sizeof(src_pvc), "%s-disk-%d", json_str(vm, "name", ""), src_pos);
	cJSON_AddStringToObject(data, "VmName", json_str(vm, "name", ""));
	cJSON_AddStringToObject(data, "TargetVmName", target);
	cJSON_AddStringToObject(data, "PlanName", plan_name);
	cJSON_AddNumberToObject(data, "DiskIndex", idx);
	cJSON_AddNumberToObject(data, "RootDiskIndex", 0);
	cJSON_AddStringToObject(data, "VmId", vmid);
	cJSON_AddStringToObject(data, "WinDriveLetter", "");
	cJSON_AddBoolToObject(data, "Shared", false);
	cJSON_AddStringToObject(data, "FileName", slash ? slash + 1 : f);
	cJSON_AddStringToObject(data, "DiskId", json_str(disk, "id", ""));
	cJSON_AddStringToObject(data, "SourcePVCName", src_pvc);
	cJSON_AddStringToObject(data, "SourcePVCNamespace", json_str(wprov, "namespace", "mtv-source-vms"));
	return data;
}

int sim_pvc_name_render(const char *tmpl, const cJSON *data, char *out, size_t outsz, char *why, size_t whysz)
{
	if (sim_gotmpl(tmpl, data, out, outsz) < 0) {
		snprintf(why, whysz, "template does not render");
		return -1;
	}
	if (!*out) {
		snprintf(why, whysz, "Template output is empty");
		return -1;
	}
	/* Forklift's ValidatePVCNameTemplateOutput: the whole output, before
	 * any generateName '-' handling, must be a DNS-1123 label. */
	if (!sim_dns1123_label(out)) {
		snprintf(why, whysz, "Template output is invalid k8s label [%s]", out);
		return -1;
	}
	return 0;
}
