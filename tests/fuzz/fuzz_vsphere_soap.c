/* lib/vsphere's SOAP layer: the input is a response body, parsed as the
 * answer to a RetrievePropertiesEx; when it is one, its returnval is read
 * into the facts of three VMs (the morefs the seeds use), as
 * vsphere_vms_get reads each page. */
#include "fuzz.h"

#include <stdio.h>

#include <libxml/parser.h>

#include "vsphere.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const refs[] = { "vm-42", "vm-1", "vm-2" };
	const size_t n = sizeof(refs) / sizeof(refs[0]);
	struct mtv_err err = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr body = NULL;
	struct vsphere_vm *vms;

	if (vsphere_soap_parse((const char *)data, size, 200, "RetrievePropertiesEx", &doc, &body,
			       &err) < 0)
		return 0;
	vms = calloc(n, sizeof(*vms));
	if (vms) {
		for (size_t i = 0; i < n; i++) {
			snprintf(vms[i].ref.type, sizeof(vms[i].ref.type), "VirtualMachine");
			snprintf(vms[i].ref.value, sizeof(vms[i].ref.value), "%s", refs[i]);
		}
		memset(&err, 0, sizeof(err));
		vsphere_vms_parse(vsphere_child(body, "returnval"), vms, n, &err);
		vsphere_vms_free(vms, n);
	}
	xmlFreeDoc(doc);
	return 0;
}
