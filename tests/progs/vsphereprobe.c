/* vsphereprobe: drives lib/vsphere so bats tests can check it against vcsim.
 *
 *   vsphereprobe URL USER login                 connect, log in, log out
 *   vsphereprobe URL USER vms NAME...           the facts of the named VMs
 *   vsphereprobe URL USER power-on NAME
 *   vsphereprobe URL USER power-off NAME
 *   vsphereprobe URL USER destroy NAME
 *   vsphereprobe URL USER clone NAME NEW on|off
 *   vsphereprobe URL USER snapshot NAME SNAPSHOT
 *   vsphereprobe URL USER snapshot-remove NAME SNAPSHOT
 *   vsphereprobe URL USER find NAME              vsphere_vm_find ("not found: NAME")
 *   vsphereprobe URL USER list [PREFIX]          vsphere_vms_list
 *   vsphereprobe URL USER datastores
 *   vsphereprobe URL USER clone-vm NAME NEW [ds=NAME|ID] [disk=thin|thick-lazy|thick-eager]
 *                                    [on] [cbt] [session=S] [annotation=A]
 *   vsphereprobe URL USER twin NAME NEW          a bare CloneVM_Task (no name check)
 *   vsphereprobe URL USER add-disks NAME SIZE_GB[:PROVISIONING[:MODE[:DATASTORE]]]...
 *
 * The password comes from VSPHERE_PASSWORD (never argv).  VSPHERE_PAGE_SIZE
 * sets RetrievePropertiesEx's maxObjects, to exercise the Continue pages;
 * VSPHERE_NO_LOGIN makes the calls without a session.  TLS: VSPHERE_CA_FILE
 * (a PEM file to verify the server with) and VSPHERE_INSECURE=1, through
 * vsphere_client_tls.
 * After the command, "calls: METHOD=N ..." lists the SOAP calls made, so a
 * test can count them.  Errors: "vsphereprobe: <message>" and
 * "vsphereprobe: reason=<fault>" on stderr, exit status from err.code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "vsphere.h"
#include "vsphere_int.h"	/* only for "twin": a clone behind lib/vsphere's back */

static const char *s_(const char *s)
{
	return s ? s : "";
}

static void print_vm(const struct vsphere_vm *vm)
{
	printf("vm=%s ref=%s parent=%s cpu=%d cores=%d memory_mb=%ld firmware=%s uuid=%s power=%s\n",
	       s_(vm->name), vm->ref.value, vm->parent.value, vm->num_cpu, vm->cores_per_socket,
	       vm->memory_mb, vm->firmware ? vm->firmware : "", vm->uuid ? vm->uuid : "",
	       vm->power_state ? vm->power_state : "");
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct vsphere_disk *d = &vm->disks[i];

		printf("  disk label=%s file=%s datastore=%s capacity=%lld key=%d controller=%d unit=%d "
		       "mode=%s provisioning=%s\n", s_(d->label), s_(d->file), d->datastore.value,
		       d->capacity_bytes, d->key, d->controller_key, d->unit, s_(d->disk_mode),
		       s_(d->provisioning));
	}
	for (size_t i = 0; i < vm->nnics; i++)
		printf("  nic label=%s mac=%s network_ref=%s:%s network=%s\n", s_(vm->nics[i].label),
		       s_(vm->nics[i].mac), vm->nics[i].network_ref.type, vm->nics[i].network_ref.value,
		       s_(vm->nics[i].network));
	for (size_t i = 0; i < vm->nguest_nics; i++) {
		const struct vsphere_guest_nic *g = &vm->guest_nics[i];

		printf("  guest_nic network=%s mac=%s ips=", s_(g->network), s_(g->mac));
		for (size_t j = 0; j < g->nips; j++)
			printf("%s%s", j ? "," : "", g->ips[j]);
		printf("\n");
		for (size_t j = 0; j < g->nip_config; j++)
			printf("  guest_ip address=%s origin=%s\n", s_(g->ip_config[j].address),
			       s_(g->ip_config[j].origin));
	}
	for (size_t i = 0; i < vm->nsnapshots; i++)
		printf("  snapshot name=%s ref=%s\n", s_(vm->snapshots[i]), vm->snapshot_refs[i].ref.value);
	printf("  guest_id=%s\n", s_(vm->guest_id));
	printf("  bios_serial=%s\n", s_(vm->bios_serial));
	printf("  cbt=%s\n", vm->cbt ? "true" : "false");
	printf("  template=%s\n", vm->template_ ? "true" : "false");
	printf("  secure_boot=%s\n", vm->secure_boot ? "true" : "false");
	printf("  session=%s\n", vm->session ? vm->session : "(none)");
	printf("  annotation=%s\n", s_(vm->annotation));
}

/* A datastore named by name or id ("LocalDS_1", "datastore-12"). */
static int find_datastore(struct vsphere_client *c, const char *which, struct vsphere_moref *out,
			  struct mtv_err *err)
{
	struct vsphere_datastore *ds;
	size_t n;
	int r = -1;

	if (vsphere_datastores(c, &ds, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ds[i].ref.value, which) || (ds[i].name && !strcmp(ds[i].name, which))) {
			*out = ds[i].ref;
			r = 0;
		}
	vsphere_datastores_free(ds, n);
	if (r < 0)
		mtv_err_set(err, MTV_EXIT_USAGE, "no datastore %s", which);
	return r;
}

/* clone-vm NAME NEW [ds=X] [disk=T] [on] [cbt] [session=S] [annotation=A] */
static int clone_vm(struct vsphere_client *c, const struct vsphere_vm *vm, int argc, char **argv,
		    struct mtv_err *err)
{
	struct vsphere_clone_opts o = { .name = argv[0] };
	struct vsphere_moref ds, ref;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "ds=", 3)) {
			if (find_datastore(c, argv[i] + 3, &ds, err) < 0)
				return -1;
			o.datastore = &ds;
		} else if (!strncmp(argv[i], "disk=", 5)) {
			o.disk_type = argv[i] + 5;
		} else if (!strcmp(argv[i], "on")) {
			o.power_on = true;
		} else if (!strcmp(argv[i], "cbt")) {
			o.enable_cbt = true;
		} else if (!strncmp(argv[i], "session=", 8)) {
			o.session = argv[i] + 8;
		} else if (!strncmp(argv[i], "annotation=", 11)) {
			o.annotation = argv[i] + 11;
		} else {
			return mtv_err_set(err, MTV_EXIT_USAGE, "clone-vm: unknown option %s", argv[i]);
		}
	}
	if (vsphere_clone_vm(c, vm, &o, &ref, err) < 0)
		return -1;
	printf("clone=%s ref=%s\n", o.name, ref.value);
	return 0;
}

/* add-disks NAME SIZE_GB[:PROVISIONING[:MODE[:DATASTORE]]]... */
static int add_disks(struct vsphere_client *c, const struct vsphere_vm *vm, int argc, char **argv,
		     struct mtv_err *err)
{
	struct vsphere_new_disk nd[8] = { 0 };
	struct vsphere_moref ds[8];
	char *fields[8][4] = { { 0 } };
	int r;

	if (argc > 8)
		return mtv_err_set(err, MTV_EXIT_USAGE, "add-disks: at most 8");
	for (int i = 0; i < argc; i++) {
		char *save = NULL, *f = strtok_r(argv[i], ":", &save);

		for (int k = 0; f && k < 4; k++, f = strtok_r(NULL, ":", &save))
			fields[i][k] = f;
		nd[i].size_gb = fields[i][0] ? atoll(fields[i][0]) : 0;
		nd[i].provisioning = fields[i][1];
		nd[i].disk_mode = fields[i][2];
		if (fields[i][3]) {
			if (find_datastore(c, fields[i][3], &ds[i], err) < 0)
				return -1;
			nd[i].datastore = &ds[i];
		}
	}
	r = vsphere_add_disks(c, vm, nd, (size_t)argc, err);
	if (r == 0)
		printf("added=%d\n", argc);
	return r;
}

static int run(struct vsphere_client *c, int argc, char **argv, struct mtv_err *err)
{
	const char *cmd = argv[0];
	struct vsphere_vm *vms = NULL;
	size_t n;
	int r;

	if (!strcmp(cmd, "login"))
		return 0;
	if (!strcmp(cmd, "datastores")) {
		struct vsphere_datastore *ds;

		if (vsphere_datastores(c, &ds, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			printf("datastore=%s id=%s capacity=%lld free=%lld\n", s_(ds[i].name), ds[i].ref.value,
			       ds[i].capacity_bytes, ds[i].free_bytes);
		vsphere_datastores_free(ds, n);
		return 0;
	}
	if (!strcmp(cmd, "list")) {
		if (vsphere_vms_list(c, argc > 1 ? argv[1] : "", &vms, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			printf("vm=%s ref=%s power=%s session=%s annotation=%s\n", s_(vms[i].name),
			       vms[i].ref.value, s_(vms[i].power_state),
			       vms[i].session ? vms[i].session : "(none)", s_(vms[i].annotation));
		vsphere_vms_free(vms, n);
		return 0;
	}
	if (argc < 2)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: no VM name", cmd);
	if (!strcmp(cmd, "find")) {
		struct vsphere_vm *vm;

		if (vsphere_vm_find(c, argv[1], &vm, err) < 0)
			return -1;
		if (vm)
			print_vm(vm);
		else
			printf("not found: %s\n", argv[1]);
		vsphere_vms_free(vm, 1);
		return 0;
	}
	n = !strcmp(cmd, "vms") ? (size_t)(argc - 1) : 1;
	if (vsphere_vms_get(c, (const char *const *)argv + 1, n, &vms, err) < 0)
		return -1;
	if (!strcmp(cmd, "vms")) {
		for (size_t i = 0; i < n; i++)
			print_vm(&vms[i]);
		r = 0;
	} else if (!strcmp(cmd, "power-on")) {
		r = vsphere_power_on(c, &vms[0], err);
	} else if (!strcmp(cmd, "power-off")) {
		r = vsphere_power_off(c, &vms[0], err);
	} else if (!strcmp(cmd, "destroy")) {
		r = vsphere_destroy(c, &vms[0], err);
	} else if (!strcmp(cmd, "snapshot") && argc == 3) {
		r = vsphere_snapshot(c, &vms[0], argv[2], err);
	} else if (!strcmp(cmd, "snapshot-remove") && argc == 3) {
		r = mtv_err_set(err, MTV_EXIT_USAGE, "VM %s: no snapshot %s", argv[1], argv[2]);
		for (size_t i = 0; i < vms[0].nsnapshots; i++)
			if (!strcmp(vms[0].snapshot_refs[i].name, argv[2])) {
				r = vsphere_snapshot_remove(c, &vms[0], &vms[0].snapshot_refs[i].ref, err);
				break;
			}
	} else if (!strcmp(cmd, "clone") && argc == 4) {
		struct vsphere_moref ref;

		r = vsphere_clone(c, &vms[0], argv[2], !strcmp(argv[3], "on"), &ref, err);
		if (r == 0)
			printf("clone=%s ref=%s\n", argv[2], ref.value);
	} else if (!strcmp(cmd, "twin") && argc == 3) {
		/* A bare CloneVM_Task, no name check: stands for a VM of that
		 * name that something else made (vCenter allows one name in two
		 * folders; vcsim in one), for the tests of duplicate names. */
		struct buf a = BUF_INIT(4096);

		vsphere_moref_xml(&a, "folder", &vms[0].parent);
		buf_addf(&a, "<name>%s</name><spec><location/><template>false</template>"
			 "<powerOn>false</powerOn></spec>", argv[2]);
		r = vsphere_vm_task(c, &vms[0], "CloneVM_Task", buf_str(&a), NULL, err);
		buf_release(&a);
	} else if (!strcmp(cmd, "clone-vm") && argc >= 3) {
		r = clone_vm(c, &vms[0], argc - 2, argv + 2, err);
	} else if (!strcmp(cmd, "add-disks") && argc >= 3) {
		r = add_disks(c, &vms[0], argc - 2, argv + 2, err);
	} else {
		r = mtv_err_set(err, MTV_EXIT_USAGE, "unknown command %s", cmd);
	}
	vsphere_vms_free(vms, n);
	return r;
}

int main(int argc, char **argv)
{
	struct mtv_err err = { 0 };
	struct vsphere_client c;
	const char *pass = getenv("VSPHERE_PASSWORD");
	const char *ps = getenv("VSPHERE_PAGE_SIZE");
	int r;

	if (log_init("vsphereprobe", &err) < 0) {
		fprintf(stderr, "vsphereprobe: %s\n", err.msg);
		return err.code;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: vsphereprobe URL USER COMMAND ...\n");
		return 2;
	}
	if (vsphere_client_init(&c, argv[1], &err) < 0) {
		fprintf(stderr, "vsphereprobe: %s\n", err.msg);
		return err.code;
	}
	c.page_size = ps ? atoi(ps) : 0;
	if (getenv("VSPHERE_CA_FILE") || getenv("VSPHERE_INSECURE")) {
		struct buf pem = BUF_INIT(1 << 20);
		const char *f = getenv("VSPHERE_CA_FILE");
		FILE *fp = f ? fopen(f, "r") : NULL;
		char chunk[4096];
		size_t got;

		if (f && !fp) {
			fprintf(stderr, "vsphereprobe: %s: cannot open\n", f);
			return 2;
		}
		while (fp && (got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			buf_add(&pem, chunk, got);
		if (fp)
			fclose(fp);
		r = vsphere_client_tls(&c, fp ? buf_str(&pem) : NULL, getenv("VSPHERE_INSECURE") != NULL, &err);
		buf_release(&pem);
		if (r < 0) {
			fprintf(stderr, "vsphereprobe: %s\n", err.msg);
			return err.code;
		}
	}
	r = vsphere_connect(&c, &err);
	/* VSPHERE_NO_LOGIN: call without a session, to see NotAuthenticated */
	if (r == 0 && !getenv("VSPHERE_NO_LOGIN"))
		r = vsphere_login(&c, argv[2], pass ? pass : "", &err);
	if (r == 0) {
		r = run(&c, argc - 3, argv + 3, &err);
		if (r == 0)
			r = vsphere_logout(&c, &err);
		else
			vsphere_logout(&c, &(struct mtv_err){ 0 });
	}
	printf("calls:");
	for (size_t i = 0; i < c.nstats; i++)
		printf(" %s=%lu", c.stats[i].method, c.stats[i].count);
	printf("\n");
	vsphere_client_release(&c);
	if (r < 0) {
		fprintf(stderr, "vsphereprobe: %s\n", err.msg);
		if (err.reason[0])
			fprintf(stderr, "vsphereprobe: reason=%s\n", err.reason);
		return err.code ? err.code : 1;
	}
	return 0;
}
