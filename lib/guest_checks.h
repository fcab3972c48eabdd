/* What check-vms sees inside a migrated guest, as pure functions over the
 * text the guest's commands printed and the inventory VM, so every rule is
 * unit tested without a guest (tests/unit/test_guest_checks.c).
 *
 * The commands are fixed strings (no credential is ever a command
 * argument): Linux `hostname`, `cat /etc/os-release`, `ip -j addr`;
 * Windows `hostname`, one PowerShell line printing the OS caption and one
 * printing the adapters and IPv4 addresses as one JSON document
 * (GUEST_CMD_*).
 *
 * Each check fills a struct guest_verdict: pass, fail or skip, with a
 * message that alone tells what differs (the VM, the interface, both
 * address lists).
 */
#ifndef MTV_GUEST_CHECKS_H
#define MTV_GUEST_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "err.h"
#include "providers.h"

/* SHARED_DIR: what check-vms saw in each guest, for gather:
 *   {"vms": [{"name", "destination", "failed": bool, "hostKey",
 *             "commands": [{"command", "exitStatus", "stdout", "stderr",
 *                           "truncated": bool}]}]}
 * (outputs capped to keep the file under the state size limit). */
#define GUEST_CHECKS_STATE "mtv-guest-checks.json"

#define GUEST_CMD_HOSTNAME "hostname"
#define GUEST_CMD_LINUX_OS "cat /etc/os-release"
#define GUEST_CMD_LINUX_NET "ip -j addr"
#define GUEST_CMD_WIN_OS \
	"powershell -NoProfile -NonInteractive -Command \"(Get-CimInstance Win32_OperatingSystem).Caption\""
#define GUEST_CMD_WIN_NET \
	"powershell -NoProfile -NonInteractive -Command \"ConvertTo-Json -Depth 4 @{adapters=@(Get-NetAdapter | " \
	"Select-Object Name,MacAddress,InterfaceIndex); addresses=@(Get-NetIPAddress -AddressFamily IPv4 | " \
	"Select-Object IPAddress,PrefixLength,InterfaceIndex,InterfaceAlias)}\""

#define GUEST_MAC_MAX 32
#define GUEST_IP_MAX 64

struct guest_addr {
	char ip[GUEST_IP_MAX];	/* as the guest printed it */
	int prefix;		/* -1 when the guest gave none */
	int family;		/* 4 or 6 */
};

struct guest_iface {
	char name[64];		/* eth0, Ethernet0 */
	char mac[GUEST_MAC_MAX];	/* normalised (guest_mac_normalise); "" when none */
	struct guest_addr *addrs;
	size_t naddrs;
};

/* The guest's interfaces, loopback left out. */
struct guest_net {
	struct guest_iface *ifaces;
	size_t n;
};

void guest_net_release(struct guest_net *net);

/* "00-50-56-AA-BB-CC", "0050.56aa.bbcc" → "00:50:56:aa:bb:cc"; anything
 * else is lowercased with '-' and '.' turned into ':'. */
void guest_mac_normalise(const char *in, char *out, size_t outsz);

/* Linux `ip -j addr`: an array of {ifname, address, link_type,
 * addr_info: [{family: inet|inet6, local, prefixlen}]}; lo (link_type
 * loopback) is skipped.  Bad JSON or the wrong shape → MTV_EXIT_FAILED
 * naming the command (the guest answered, but not as a Linux guest does). */
int guest_net_parse_linux(const char *text, size_t len, struct guest_net *out, struct mtv_err *err);

/* GUEST_CMD_WIN_NET's output: {adapters: [{Name, MacAddress,
 * InterfaceIndex}], addresses: [{IPAddress, PrefixLength, InterfaceIndex,
 * InterfaceAlias}]}, with Windows PowerShell's quirks: a single element may
 * come as an object instead of an array, an array as {value: [...], Count}
 * (5.1's extended Array type), no element as null.  Addresses are put on
 * the adapter with their InterfaceIndex (else the InterfaceAlias); those of
 * no adapter (the loopback pseudo-interface) are left out. */
int guest_net_parse_windows(const char *text, size_t len, struct guest_net *out, struct mtv_err *err);

enum guest_result {
	GUEST_PASS,
	GUEST_FAIL,
	GUEST_SKIP,
};

struct guest_verdict {
	enum guest_result result;
	char msg[4096];		/* why it failed or was skipped; a note when it passed */
};

/* The MACs of the source VM's NICs, normalised, as Forklift creates the
 * destination interfaces (vSphere/oVirt nics[].mac, OVA nics[].MAC,
 * OpenStack each addresses network's first non-floating port).  Returns how
 * many were written (at most max). */
size_t guest_source_macs(enum provider_type type, const cJSON *source, char (*out)[GUEST_MAC_MAX], size_t max);

/* The guest sees exactly the source NICs: as many non-loopback interfaces
 * with a MAC, and the same set of MACs. */
void guest_nics_check(const char *vm, enum provider_type type, const cJSON *source, const struct guest_net *net,
		      struct guest_verdict *v);

/* Every source IP whose origin is "manual" (the inventory VM's
 * guestNetworks: {mac, ip, prefix, origin}) is on the guest interface with
 * that MAC, with the same prefix when the source has one.  No manual IP on
 * the source: skip, saying so.  A failure names the VM, the interface
 * (guest name and MAC) and both address lists:
 *   VM x: interface Ethernet0 (00:50:56:aa:bb:cc): expected 10.0.0.5/24,
 *   10.0.0.6/24; the guest has 10.0.0.5/24 */
void guest_static_ips_check(const char *vm, const cJSON *source, const struct guest_net *net,
			    struct guest_verdict *v);

/* The guest's hostname (its output, trimmed) is not empty and, when the
 * source's guest reported one (expected not ""), names the same host: equal
 * ignoring case, or one the short name of the other. */
void guest_hostname_check(const char *vm, const char *expected, const char *output, struct guest_verdict *v);

struct guest_os {
	bool windows;
	char id[64];		/* os-release ID ("rhel"), "windows" */
	char version[64];	/* VERSION_ID, "" on Windows */
	char pretty[256];	/* PRETTY_NAME, or the Windows caption */
};

/* /etc/os-release (ID, VERSION_ID, PRETTY_NAME; values may be quoted) and
 * the Windows caption line ("Microsoft Windows Server 2022 Standard").
 * Nothing usable → -1. */
int guest_os_parse_linux(const char *text, struct guest_os *os);
int guest_os_parse_windows(const char *text, struct guest_os *os);

/* The OS command's result agrees with the family Forklift took the source
 * for (vm_source_is_windows): exit status 0 and a parseable answer; the
 * message says which OS the guest runs, or what it printed instead. */
void guest_os_check(const char *vm, bool windows, int exit_status, const char *out, const char *err_text,
		    struct guest_verdict *v);

/* A name as one path component of ARTIFACT_DIR/guest/<vm>/: what is not
 * [A-Za-z0-9._-] becomes '_', and a leading '.' too ("" → "_"). */
void guest_file_name(const char *in, char *out, size_t outsz);

/* A command as a short file name part: the program and what follows its
 * leading options ("ip -j addr" → "ip-addr", "powershell -NoProfile
 * -Command \"(Get-CimInstance ...\"" → "powershell-get-ciminstance-..."):
 * letters and digits kept (lowercased), every other run becomes one '-',
 * cut at 40 characters. */
void guest_command_slug(const char *cmd, char *out, size_t outsz);

#endif
