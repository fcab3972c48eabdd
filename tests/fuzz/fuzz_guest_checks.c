/* lib/guest_checks over what a guest prints: the text is the guest's, so
 * nothing it says may crash check-vms.  Every input goes through both
 * network parsers (ip -j addr, the PowerShell document), and what they
 * accept through the NIC and static IP rules against a fixed source VM;
 * the OS and hostname readers get the same text. */
#include "fuzz.h"

#include "guest_checks.h"

static const char *SOURCE =
	"{\"nics\":[{\"mac\":\"00:50:56:aa:bb:cc\"},{\"mac\":\"00:50:56:aa:bb:cd\"}],"
	"\"guestNetworks\":[{\"mac\":\"00:50:56:aa:bb:cc\",\"ip\":\"10.0.0.5\",\"prefix\":24,\"origin\":\"manual\"},"
	"{\"mac\":\"00-50-56-AA-BB-CD\",\"ip\":\"2001:db8::5\",\"prefix\":64,\"origin\":\"manual\"}]}";

static void judge(const cJSON *source, const struct guest_net *net)
{
	struct guest_verdict v;

	guest_nics_check("fuzz", PROVIDER_VSPHERE, source, net, &v);
	guest_static_ips_check("fuzz", source, net, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), slug[64], name[64], mac[GUEST_MAC_MAX];
	cJSON *source = cJSON_Parse(SOURCE);
	struct guest_net net;
	struct guest_verdict v;
	struct guest_os os;
	struct mtv_err err = { 0 };

	if (!text || !source) {
		free(text);
		cJSON_Delete(source);
		return 0;
	}
	if (guest_net_parse_linux(text, size, &net, &err) == 0) {
		judge(source, &net);
		guest_net_release(&net);
	}
	if (guest_net_parse_windows(text, size, &net, &err) == 0) {
		judge(source, &net);
		guest_net_release(&net);
	}
	guest_os_parse_linux(text, &os);
	guest_os_parse_windows(text, &os);
	guest_os_check("fuzz", false, 0, text, text, &v);
	guest_os_check("fuzz", true, 1, text, text, &v);
	guest_hostname_check("fuzz", "host.example", text, &v);
	guest_mac_normalise(text, mac, sizeof(mac));
	guest_command_slug(text, slug, sizeof(slug));
	guest_file_name(text, name, sizeof(name));
	cJSON_Delete(source);
	free(text);
	return 0;
}
