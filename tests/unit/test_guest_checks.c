#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "guest_checks.h"

/* `ip -j addr` as iproute2 prints it (trimmed of the fields we ignore). */
static const char *IP_J =
	"[{\"ifindex\":1,\"ifname\":\"lo\",\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\","
	"\"addr_info\":[{\"family\":\"inet\",\"local\":\"127.0.0.1\",\"prefixlen\":8},"
	"{\"family\":\"inet6\",\"local\":\"::1\",\"prefixlen\":128}]},"
	"{\"ifindex\":2,\"ifname\":\"eth0\",\"link_type\":\"ether\",\"address\":\"00:50:56:AA:00:01\","
	"\"addr_info\":[{\"family\":\"inet\",\"local\":\"10.0.0.5\",\"prefixlen\":24},"
	"{\"family\":\"inet6\",\"local\":\"fe80::250:56ff:feaa:1\",\"prefixlen\":64}]},"
	"{\"ifindex\":3,\"ifname\":\"eth1\",\"link_type\":\"ether\",\"address\":\"00:50:56:aa:00:02\",\"addr_info\":[]}]";

/* Windows PowerShell 5.1: adapters an array, a single address an object. */
static const char *WIN_ONE =
	"{\r\n  \"addresses\": {\"IPAddress\": \"10.0.0.5\", \"PrefixLength\": 24, \"InterfaceIndex\": 6,"
	" \"InterfaceAlias\": \"Ethernet0\"},\r\n"
	"  \"adapters\": [{\"Name\": \"Ethernet0\", \"MacAddress\": \"00-50-56-AA-BB-CC\", \"InterfaceIndex\": 6}]\r\n}";

/* 5.1's extended arrays ({value, Count}) and the loopback pseudo-interface. */
static const char *WIN_VALUE =
	"{\"adapters\": {\"value\": [{\"Name\": \"Ethernet0\", \"MacAddress\": \"00-50-56-AA-BB-CC\","
	" \"InterfaceIndex\": 6}], \"Count\": 1},"
	" \"addresses\": {\"value\": [{\"IPAddress\": \"10.0.0.5\", \"PrefixLength\": 24, \"InterfaceIndex\": 6},"
	" {\"IPAddress\": \"10.0.0.6\", \"PrefixLength\": 24, \"InterfaceIndex\": 6},"
	" {\"IPAddress\": \"127.0.0.1\", \"PrefixLength\": 8, \"InterfaceIndex\": 1,"
	" \"InterfaceAlias\": \"Loopback Pseudo-Interface 1\"}], \"Count\": 3}}";

static const char *SOURCE_STATIC =
	"{\"name\":\"mtv-win2022-ip\",\"nics\":[{\"mac\":\"00:50:56:aa:bb:cc\"}],"
	"\"guestNetworks\":[{\"mac\":\"00:50:56:AA:BB:CC\",\"ip\":\"10.0.0.5\",\"prefix\":24,\"origin\":\"manual\"},"
	"{\"mac\":\"00:50:56:aa:bb:cc\",\"ip\":\"10.0.0.6\",\"prefix\":24,\"origin\":\"manual\"},"
	"{\"mac\":\"00:50:56:aa:bb:cc\",\"ip\":\"fe80::1\",\"prefix\":64,\"origin\":\"linklayer\"}]}";

static void test_mac_normalise(void **state)
{
	char m[GUEST_MAC_MAX];

	(void)state;
	guest_mac_normalise("00-50-56-AA-BB-CC", m, sizeof(m));
	assert_string_equal(m, "00:50:56:aa:bb:cc");
	guest_mac_normalise("0050.56aa.bbcc", m, sizeof(m));
	assert_string_equal(m, "00:50:56:aa:bb:cc");
	guest_mac_normalise("00:50:56:aa:bb:cc", m, sizeof(m));
	assert_string_equal(m, "00:50:56:aa:bb:cc");
	/* not a MAC: lowercased, separators turned, nothing invented */
	guest_mac_normalise("AB-CD", m, sizeof(m));
	assert_string_equal(m, "ab:cd");
	guest_mac_normalise("", m, sizeof(m));
	assert_string_equal(m, "");
}

static void test_linux_parse_skips_loopback(void **state)
{
	struct guest_net net;
	struct mtv_err err;

	(void)state;
	assert_int_equal(guest_net_parse_linux(IP_J, strlen(IP_J), &net, &err), 0);
	assert_int_equal(net.n, 2);
	assert_string_equal(net.ifaces[0].name, "eth0");
	assert_string_equal(net.ifaces[0].mac, "00:50:56:aa:00:01");
	assert_int_equal(net.ifaces[0].naddrs, 2);
	assert_string_equal(net.ifaces[0].addrs[0].ip, "10.0.0.5");
	assert_int_equal(net.ifaces[0].addrs[0].prefix, 24);
	assert_int_equal(net.ifaces[0].addrs[0].family, 4);
	assert_int_equal(net.ifaces[0].addrs[1].family, 6);
	assert_int_equal(net.ifaces[1].naddrs, 0);
	guest_net_release(&net);
}

static void test_linux_parse_bad_output(void **state)
{
	struct guest_net net;
	struct mtv_err err;

	(void)state;
	/* what a shell prints when there is no `ip` */
	assert_int_equal(guest_net_parse_linux("sh: 1: ip: not found\n", 21, &net, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_FAILED);
	assert_non_null(strstr(err.msg, "ip -j addr"));
	assert_int_equal(guest_net_parse_linux("{}", 2, &net, &err), -1);
	assert_non_null(strstr(err.msg, "not an array"));
}

static void test_windows_single_object_and_value_forms(void **state)
{
	struct guest_net net;
	struct mtv_err err;

	(void)state;
	assert_int_equal(guest_net_parse_windows(WIN_ONE, strlen(WIN_ONE), &net, &err), 0);
	assert_int_equal(net.n, 1);
	assert_string_equal(net.ifaces[0].name, "Ethernet0");
	assert_string_equal(net.ifaces[0].mac, "00:50:56:aa:bb:cc");
	assert_int_equal(net.ifaces[0].naddrs, 1);
	assert_string_equal(net.ifaces[0].addrs[0].ip, "10.0.0.5");
	guest_net_release(&net);

	assert_int_equal(guest_net_parse_windows(WIN_VALUE, strlen(WIN_VALUE), &net, &err), 0);
	assert_int_equal(net.n, 1);
	/* the loopback address belongs to no adapter */
	assert_int_equal(net.ifaces[0].naddrs, 2);
	assert_string_equal(net.ifaces[0].addrs[1].ip, "10.0.0.6");
	guest_net_release(&net);

	/* null collections: no adapter */
	assert_int_equal(guest_net_parse_windows("{\"adapters\":null,\"addresses\":null}", 35, &net, &err), 0);
	assert_int_equal(net.n, 0);
	guest_net_release(&net);
	assert_int_equal(guest_net_parse_windows("[1]", 3, &net, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_FAILED);
}

static void test_windows_address_by_alias(void **state)
{
	const char *t = "{\"adapters\":[{\"Name\":\"Ethernet1\",\"MacAddress\":\"00-50-56-00-00-01\"}],"
			"\"addresses\":[{\"IPAddress\":\"192.168.1.9\",\"PrefixLength\":16,\"InterfaceAlias\":\"Ethernet1\"}]}";
	struct guest_net net;
	struct mtv_err err;

	(void)state;
	assert_int_equal(guest_net_parse_windows(t, strlen(t), &net, &err), 0);
	assert_int_equal(net.ifaces[0].naddrs, 1);
	assert_int_equal(net.ifaces[0].addrs[0].prefix, 16);
	guest_net_release(&net);
}

static void parse_source(const char *text, cJSON **out)
{
	*out = cJSON_Parse(text);
	assert_non_null(*out);
}

static void test_static_ips_pass_and_fail(void **state)
{
	struct guest_verdict v;
	struct guest_net net;
	struct mtv_err err;
	cJSON *src;

	(void)state;
	parse_source(SOURCE_STATIC, &src);
	assert_int_equal(guest_net_parse_windows(WIN_VALUE, strlen(WIN_VALUE), &net, &err), 0);
	guest_static_ips_check("mtv-win2022-ip", src, &net, &v);
	assert_int_equal(v.result, GUEST_PASS);
	assert_non_null(strstr(v.msg, "10.0.0.5/24, 10.0.0.6/24"));
	guest_net_release(&net);

	/* the twin: one address missing */
	assert_int_equal(guest_net_parse_windows(WIN_ONE, strlen(WIN_ONE), &net, &err), 0);
	guest_static_ips_check("mtv-win2022-ip", src, &net, &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_string_equal(v.msg, "VM mtv-win2022-ip: interface Ethernet0 (00:50:56:aa:bb:cc): expected "
				   "10.0.0.5/24, 10.0.0.6/24; the guest has 10.0.0.5/24");
	guest_net_release(&net);
	cJSON_Delete(src);
}

static void test_static_ips_prefix_and_mac(void **state)
{
	const char *wrong_prefix = "{\"adapters\":[{\"Name\":\"Ethernet0\",\"MacAddress\":\"00-50-56-AA-BB-CC\","
				   "\"InterfaceIndex\":6}],\"addresses\":[{\"IPAddress\":\"10.0.0.5\",\"PrefixLength\":16,"
				   "\"InterfaceIndex\":6},{\"IPAddress\":\"10.0.0.6\",\"PrefixLength\":24,\"InterfaceIndex\":6}]}";
	const char *other_mac = "{\"adapters\":[{\"Name\":\"Ethernet0\",\"MacAddress\":\"00-50-56-AA-BB-CD\","
				"\"InterfaceIndex\":6}],\"addresses\":[{\"IPAddress\":\"10.0.0.5\",\"PrefixLength\":24,"
				"\"InterfaceIndex\":6},{\"IPAddress\":\"10.0.0.6\",\"PrefixLength\":24,\"InterfaceIndex\":6}]}";
	struct guest_verdict v;
	struct guest_net net;
	struct mtv_err err;
	cJSON *src;

	(void)state;
	parse_source(SOURCE_STATIC, &src);
	assert_int_equal(guest_net_parse_windows(wrong_prefix, strlen(wrong_prefix), &net, &err), 0);
	guest_static_ips_check("w", src, &net, &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_non_null(strstr(v.msg, "the guest has 10.0.0.5/16, 10.0.0.6/24"));
	guest_net_release(&net);
	/* the addresses are there, on another MAC: not preserved */
	assert_int_equal(guest_net_parse_windows(other_mac, strlen(other_mac), &net, &err), 0);
	guest_static_ips_check("w", src, &net, &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_string_equal(v.msg, "VM w: no guest interface has the MAC 00:50:56:aa:bb:cc: expected 10.0.0.5/24, "
				   "10.0.0.6/24 there");
	guest_net_release(&net);
	cJSON_Delete(src);
}

static void test_static_ips_skip_without_manual(void **state)
{
	struct guest_verdict v;
	struct guest_net net = { 0 };
	cJSON *src;

	(void)state;
	parse_source("{\"guestNetworks\":[{\"mac\":\"00:50:56:00:00:01\",\"ip\":\"10.1.1.1\",\"origin\":\"dhcp\"}]}", &src);
	guest_static_ips_check("l", src, &net, &v);
	assert_int_equal(v.result, GUEST_SKIP);
	assert_non_null(strstr(v.msg, "no static"));
	cJSON_Delete(src);
}

static void test_linux_static_ipv6(void **state)
{
	const char *ip6 = "[{\"ifname\":\"eth0\",\"address\":\"00:50:56:aa:00:01\",\"addr_info\":"
			  "[{\"family\":\"inet6\",\"local\":\"2001:db8:0:0::5\",\"prefixlen\":64}]}]";
	struct guest_verdict v;
	struct guest_net net;
	struct mtv_err err;
	cJSON *src;

	(void)state;
	parse_source("{\"guestNetworks\":[{\"mac\":\"00:50:56:aa:00:01\",\"ip\":\"2001:db8::5\",\"prefix\":64,"
		     "\"origin\":\"manual\"}]}",
		     &src);
	assert_int_equal(guest_net_parse_linux(ip6, strlen(ip6), &net, &err), 0);
	guest_static_ips_check("l", src, &net, &v);
	assert_int_equal(v.result, GUEST_PASS);
	guest_net_release(&net);
	cJSON_Delete(src);
}

static void test_nics(void **state)
{
	struct guest_verdict v;
	struct guest_net net;
	struct mtv_err err;
	cJSON *src;

	(void)state;
	assert_int_equal(guest_net_parse_linux(IP_J, strlen(IP_J), &net, &err), 0);
	parse_source("{\"nics\":[{\"mac\":\"00:50:56:aa:00:02\"},{\"mac\":\"00:50:56:AA:00:01\"}]}", &src);
	guest_nics_check("l", PROVIDER_VSPHERE, src, &net, &v);
	assert_int_equal(v.result, GUEST_PASS);
	assert_string_equal(v.msg, "2 NIC(s): 00:50:56:aa:00:01, 00:50:56:aa:00:02");
	cJSON_Delete(src);
	/* one more NIC on the source than in the guest */
	parse_source("{\"nics\":[{\"mac\":\"00:50:56:aa:00:02\"},{\"mac\":\"00:50:56:aa:00:01\"},"
		     "{\"mac\":\"00:50:56:aa:00:03\"}]}",
		     &src);
	guest_nics_check("l", PROVIDER_VSPHERE, src, &net, &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_string_equal(v.msg, "VM l: expected 3 NIC(s) with MACs 00:50:56:aa:00:01, 00:50:56:aa:00:02, "
				   "00:50:56:aa:00:03; the guest has 2: 00:50:56:aa:00:01, 00:50:56:aa:00:02");
	cJSON_Delete(src);
	/* OVA spells it MAC */
	parse_source("{\"nics\":[{\"MAC\":\"00:50:56:aa:00:02\"},{\"MAC\":\"00:50:56:aa:00:01\"}]}", &src);
	guest_nics_check("o", PROVIDER_OVA, src, &net, &v);
	assert_int_equal(v.result, GUEST_PASS);
	cJSON_Delete(src);
	guest_net_release(&net);
}

static void test_hostname(void **state)
{
	struct guest_verdict v;

	(void)state;
	guest_hostname_check("l", "mtv-rhel9", "mtv-rhel9\n", &v);
	assert_int_equal(v.result, GUEST_PASS);
	assert_string_equal(v.msg, "mtv-rhel9");
	guest_hostname_check("l", "mtv-rhel9.example.com", "MTV-RHEL9\r\n", &v);
	assert_int_equal(v.result, GUEST_PASS);
	guest_hostname_check("l", "", "anything\n", &v);
	assert_int_equal(v.result, GUEST_PASS);
	guest_hostname_check("l", "mtv-rhel9", "other\n", &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_string_equal(v.msg, "VM l: expected hostname mtv-rhel9 (the source guest's), the guest says other");
	guest_hostname_check("l", "mtv-rhel9", "mtv-rhel9x.example\n", &v);
	assert_int_equal(v.result, GUEST_FAIL);
	guest_hostname_check("l", NULL, "\n", &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_non_null(strstr(v.msg, "printed nothing"));
}

static void test_os(void **state)
{
	const char *rel = "NAME=\"Red Hat Enterprise Linux\"\nVERSION_ID=\"9.4\"\nID=rhel\n"
			  "PRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n";
	struct guest_verdict v;
	struct guest_os os;

	(void)state;
	assert_int_equal(guest_os_parse_linux(rel, &os), 0);
	assert_string_equal(os.id, "rhel");
	assert_string_equal(os.version, "9.4");
	assert_false(os.windows);
	guest_os_check("l", false, 0, rel, "", &v);
	assert_int_equal(v.result, GUEST_PASS);
	assert_string_equal(v.msg, "Red Hat Enterprise Linux 9.4 (Plow) (ID=rhel VERSION_ID=9.4)");
	assert_int_equal(guest_os_parse_windows("Microsoft Windows Server 2022 Standard\r\n", &os), 0);
	assert_true(os.windows);
	guest_os_check("w", true, 0, "Microsoft Windows Server 2022 Standard\r\n", "", &v);
	assert_int_equal(v.result, GUEST_PASS);
	assert_string_equal(v.msg, "Microsoft Windows Server 2022 Standard");
	/* a Linux guest where the source says Windows */
	guest_os_check("w", true, 127, "", "sh: 1: powershell: not found\n", &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_non_null(strstr(v.msg, "VM w: the source is a Windows guest, but `powershell"));
	assert_non_null(strstr(v.msg, "failed (exit 127): sh: 1: powershell: not found"));
	guest_os_check("l", false, 0, "garbage", "", &v);
	assert_int_equal(v.result, GUEST_FAIL);
	assert_non_null(strstr(v.msg, "printed no os-release ID: garbage"));
	assert_int_equal(guest_os_parse_windows("Linux", &os), -1);
}

static void test_file_names(void **state)
{
	char b[64];

	(void)state;
	guest_file_name("mtv-rhel9", b, sizeof(b));
	assert_string_equal(b, "mtv-rhel9");
	guest_file_name("../x/y z", b, sizeof(b));
	assert_string_equal(b, "_._x_y_z");
	guest_file_name("", b, sizeof(b));
	assert_string_equal(b, "_");
	guest_command_slug("ip -j addr", b, sizeof(b));
	assert_string_equal(b, "ip-addr");
	guest_command_slug("hostname", b, sizeof(b));
	assert_string_equal(b, "hostname");
	guest_command_slug(GUEST_CMD_WIN_OS, b, sizeof(b));
	assert_string_equal(b, "powershell-get-ciminstance-win32-operati");
	guest_command_slug("cat /etc/os-release", b, sizeof(b));
	assert_string_equal(b, "cat-etc-os-release");
	guest_command_slug(GUEST_CMD_WIN_NET, b, sizeof(b));
	assert_int_equal(strlen(b), 40);
	assert_string_equal(b, "powershell-convertto-json-depth-4-adapte");
	guest_command_slug("|||", b, sizeof(b));
	assert_string_equal(b, "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_normalise),
		cmocka_unit_test(test_linux_parse_skips_loopback),
		cmocka_unit_test(test_linux_parse_bad_output),
		cmocka_unit_test(test_windows_single_object_and_value_forms),
		cmocka_unit_test(test_windows_address_by_alias),
		cmocka_unit_test(test_static_ips_pass_and_fail),
		cmocka_unit_test(test_static_ips_prefix_and_mac),
		cmocka_unit_test(test_static_ips_skip_without_manual),
		cmocka_unit_test(test_linux_static_ipv6),
		cmocka_unit_test(test_nics),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_os),
		cmocka_unit_test(test_file_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
