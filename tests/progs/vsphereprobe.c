/* vsphereprobe: drives lib/vsphere so bats tests can check it against vcsim.
 *
 *   vsphereprobe URL USER login                 connect, log in, log out
 *   vsphereprobe URL USER vms NAME...           the facts of the named VMs
 *   vsphereprobe URL USER power-on NAME
 *   vsphereprobe URL USER power-off NAME
 *   vsphereprobe URL USER destroy NAME
 *   vsphereprobe URL USER clone NAME NEW on|off
 *   vsphereprobe URL USER snapshot NAME SNAPSHOT
 *
 * The password comes from VSPHERE_PASSWORD (never argv).  VSPHERE_PAGE_SIZE
 * sets RetrievePropertiesEx's maxObjects, to exercise the Continue pages;
 * VSPHERE_NO_LOGIN makes the calls without a session.
 * After the command, "calls: METHOD=N ..." lists the SOAP calls made, so a
 * test can count them.  Errors: "vsphereprobe: <message>" and
 * "vsphereprobe: reason=<fault>" on stderr, exit status from err.code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vsphere.h"

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
	for (size_t i = 0; i < vm->ndisks; i++)
		printf("  disk label=%s file=%s datastore=%s capacity=%lld\n", s_(vm->disks[i].label),
		       s_(vm->disks[i].file), vm->disks[i].datastore.value, vm->disks[i].capacity_bytes);
	for (size_t i = 0; i < vm->nnics; i++)
		printf("  nic label=%s mac=%s\n", s_(vm->nics[i].label), s_(vm->nics[i].mac));
	for (size_t i = 0; i < vm->nguest_nics; i++) {
		printf("  guest_nic network=%s mac=%s ips=", s_(vm->guest_nics[i].network),
		       s_(vm->guest_nics[i].mac));
		for (size_t j = 0; j < vm->guest_nics[i].nips; j++)
			printf("%s%s", j ? "," : "", vm->guest_nics[i].ips[j]);
		printf("\n");
	}
	for (size_t i = 0; i < vm->nsnapshots; i++)
		printf("  snapshot name=%s\n", s_(vm->snapshots[i]));
}

static int run(struct vsphere_client *c, int argc, char **argv, struct mtv_err *err)
{
	const char *cmd = argv[0];
	struct vsphere_vm *vms = NULL;
	size_t n;
	int r;

	if (!strcmp(cmd, "login"))
		return 0;
	if (argc < 2)
		return mtv_err_set(err, MTV_EXIT_USAGE, "%s: no VM name", cmd);
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
	} else if (!strcmp(cmd, "clone") && argc == 4) {
		struct vsphere_moref ref;

		r = vsphere_clone(c, &vms[0], argv[2], !strcmp(argv[3], "on"), &ref, err);
		if (r == 0)
			printf("clone=%s ref=%s\n", argv[2], ref.value);
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
