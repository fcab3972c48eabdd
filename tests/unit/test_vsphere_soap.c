/* lib/vsphere's SOAP layer on fixed XML: envelopes, faults (with and without
 * xsi:type), non-SOAP answers, and the escaping of request text.  The fault
 * bodies are the shapes vCenter and vcsim send; a RetrievePropertiesEx
 * answer read into VM facts; the BIOS serial derived from a UUID. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere.h"

#define ENV_OPEN                                                                                   \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                                               \
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "           \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
#define ENV_CLOSE "</soapenv:Body></soapenv:Envelope>"

static int parse(const char *xml, long status, xmlDocPtr *doc, xmlNodePtr *body, struct mtv_err *err)
{
	memset(err, 0, sizeof(*err));
	return vsphere_soap_parse(xml, strlen(xml), status, "Login", doc, body, err);
}

static void test_response(void **state)
{
	const char *xml = ENV_OPEN "<LoginResponse xmlns=\"urn:vim25\"><returnval><key>k1</key>"
				   "<userName>admin</userName></returnval></LoginResponse>" ENV_CLOSE;
	struct mtv_err err;
	xmlDocPtr doc;
	xmlNodePtr body;
	char *user;

	(void)state;
	assert_int_equal(parse(xml, 200, &doc, &body, &err), 0);
	assert_string_equal((const char *)body->name, "LoginResponse");
	user = vsphere_child_text(vsphere_child(body, "returnval"), "userName");
	assert_string_equal(user, "admin");
	assert_null(vsphere_child(body, "nosuch"));
	assert_null(vsphere_child_text(body, "nosuch"));
	free(user);
	xmlFreeDoc(doc);
}

static void test_fault_xsi_type(void **state)
{
	const char *xml = ENV_OPEN "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
				   "<faultstring>Login failure</faultstring><detail>"
				   "<InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\">"
				   "</InvalidLoginFault></detail></soapenv:Fault>" ENV_CLOSE;
	struct mtv_err err;
	xmlDocPtr doc;
	xmlNodePtr body;

	(void)state;
	assert_int_equal(parse(xml, 500, &doc, &body, &err), -1);
	assert_null(doc);
	assert_int_equal(err.code, MTV_EXIT_ENV);
	assert_int_equal(err.http_status, 500);
	assert_string_equal(err.reason, "InvalidLogin");
	assert_string_equal(err.msg, "vSphere Login: InvalidLogin: Login failure");
}

static void test_fault_element_name(void **state)
{
	/* No xsi:type: the element name less "Fault"; a prefixed xsi:type
	 * loses its prefix. */
	const char *plain = ENV_OPEN "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
				     "<faultstring>The session is not authenticated.</faultstring>"
				     "<detail><NotAuthenticatedFault xmlns=\"urn:vim25\"/></detail>"
				     "</soapenv:Fault>" ENV_CLOSE;
	const char *prefixed = ENV_OPEN "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
					"<faultstring>x</faultstring><detail><f xmlns:v=\"urn:vim25\" "
					"xsi:type=\"v:InvalidState\"/></detail></soapenv:Fault>" ENV_CLOSE;
	const char *bare = ENV_OPEN "<soapenv:Fault><faultcode>Client</faultcode></soapenv:Fault>" ENV_CLOSE;
	struct mtv_err err;
	xmlDocPtr doc;
	xmlNodePtr body;

	(void)state;
	assert_int_equal(parse(plain, 500, &doc, &body, &err), -1);
	assert_string_equal(err.reason, "NotAuthenticated");
	assert_string_equal(err.msg, "vSphere Login: NotAuthenticated: The session is not authenticated.");
	assert_int_equal(parse(prefixed, 500, &doc, &body, &err), -1);
	assert_string_equal(err.reason, "InvalidState");
	assert_int_equal(parse(bare, 500, &doc, &body, &err), -1);
	assert_string_equal(err.reason, "Fault");
	assert_string_equal(err.msg, "vSphere Login: Fault: (no message)");
}

static void test_not_soap(void **state)
{
	struct mtv_err err;
	xmlDocPtr doc;
	xmlNodePtr body;

	(void)state;
	assert_int_equal(parse("<html>bad gateway</html>", 502, &doc, &body, &err), -1);
	assert_string_equal(err.msg, "vSphere Login: HTTP 502 (not a SOAP response)");
	assert_int_equal(err.code, MTV_EXIT_ENV);
	assert_int_equal(parse("not xml at all", 200, &doc, &body, &err), -1);
	assert_string_equal(err.msg, "vSphere Login: the response is not a SOAP envelope");
	/* an Envelope of another namespace is not SOAP 1.1 */
	assert_int_equal(parse("<Envelope><Body><LoginResponse/></Body></Envelope>", 200, &doc, &body, &err),
			 -1);
	assert_int_equal(parse("", 200, &doc, &body, &err), -1);
	/* a 500 with an envelope but no fault */
	assert_int_equal(parse(ENV_OPEN "<LoginResponse/>" ENV_CLOSE, 500, &doc, &body, &err), -1);
	assert_string_equal(err.msg, "vSphere Login: HTTP 500 without a LoginResponse");
	/* an empty body */
	assert_int_equal(parse(ENV_OPEN ENV_CLOSE, 200, &doc, &body, &err), -1);
}

static void test_escape(void **state)
{
	struct buf b = BUF_INIT(1024);

	(void)state;
	assert_int_equal(vsphere_xml_escape(&b, "a<b>&\"c'"), 0);
	assert_string_equal(buf_str(&b), "a&lt;b&gt;&amp;&quot;c'");
	buf_release(&b);
}

/* A RetrievePropertiesEx answer as vCenter sends it for one VM and the
 * port group its second NIC is on: every fact vsphere_vms_get reads. */
static const char facts_xml[] =
	ENV_OPEN "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>"
	"<objects><obj type=\"VirtualMachine\">vm-42</obj>"
	"<propSet><name>name</name><val xsi:type=\"xsd:string\">rhel8-warm</val></propSet>"
	"<propSet><name>parent</name><val type=\"Folder\" xsi:type=\"ManagedObjectReference\">group-v3</val></propSet>"
	"<propSet><name>config.firmware</name><val xsi:type=\"xsd:string\">efi</val></propSet>"
	"<propSet><name>config.uuid</name><val xsi:type=\"xsd:string\">421c5b7e-8a5f-2c3d-9e4f-0123456789AB</val></propSet>"
	"<propSet><name>config.guestId</name><val xsi:type=\"xsd:string\">rhel8_64Guest</val></propSet>"
	"<propSet><name>config.annotation</name><val xsi:type=\"xsd:string\">Created by mtv-steps session s1 for warm</val></propSet>"
	"<propSet><name>config.changeTrackingEnabled</name><val xsi:type=\"xsd:boolean\">true</val></propSet>"
	"<propSet><name>config.template</name><val xsi:type=\"xsd:boolean\">false</val></propSet>"
	"<propSet><name>config.bootOptions</name><val xsi:type=\"VirtualMachineBootOptions\">"
	"<bootDelay>0</bootDelay><efiSecureBootEnabled>true</efiSecureBootEnabled></val></propSet>"
	"<propSet><name>config.extraConfig</name><val xsi:type=\"ArrayOfOptionValue\">"
	"<OptionValue xsi:type=\"OptionValue\"><key>ctkEnabled</key><value xsi:type=\"xsd:string\">true</value></OptionValue>"
	"<OptionValue xsi:type=\"OptionValue\"><key>mtv-steps.session</key><value xsi:type=\"xsd:string\">s1</value></OptionValue>"
	"</val></propSet>"
	"<propSet><name>runtime.powerState</name><val xsi:type=\"VirtualMachinePowerState\">poweredOff</val></propSet>"
	"<propSet><name>config.hardware</name><val xsi:type=\"VirtualHardware\">"
	"<numCPU>4</numCPU><numCoresPerSocket>2</numCoresPerSocket><memoryMB>8192</memoryMB>"
	"<device xsi:type=\"ParaVirtualSCSIController\"><key>1000</key><deviceInfo><label>SCSI controller 0</label></deviceInfo>"
	"<busNumber>0</busNumber><device>2000</device><device>2001</device></device>"
	"<device xsi:type=\"VirtualDisk\"><key>2000</key><deviceInfo><label>Hard disk 1</label></deviceInfo>"
	"<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>[ds1] rhel8/rhel8.vmdk</fileName>"
	"<datastore type=\"Datastore\">datastore-12</datastore><diskMode>persistent</diskMode>"
	"<thinProvisioned>true</thinProvisioned></backing>"
	"<controllerKey>1000</controllerKey><unitNumber>0</unitNumber>"
	"<capacityInKB>16777216</capacityInKB><capacityInBytes>17179869184</capacityInBytes></device>"
	"<device xsi:type=\"VirtualDisk\"><key>2001</key><deviceInfo><label>Hard disk 2</label></deviceInfo>"
	"<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>[ds2] rhel8/rhel8_1.vmdk</fileName>"
	"<datastore type=\"Datastore\">datastore-13</datastore><diskMode>independent_persistent</diskMode>"
	"<thinProvisioned>false</thinProvisioned><eagerlyScrub>true</eagerlyScrub></backing>"
	"<controllerKey>1000</controllerKey><unitNumber>8</unitNumber><capacityInKB>1048576</capacityInKB></device>"
	"<device xsi:type=\"VirtualDisk\"><key>2002</key><deviceInfo><label>Hard disk 3</label></deviceInfo>"
	"<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>[ds1] rhel8/rhel8_2.vmdk</fileName>"
	"<diskMode>persistent</diskMode><thinProvisioned>false</thinProvisioned></backing>"
	"<controllerKey>1000</controllerKey><unitNumber>1</unitNumber><capacityInKB>1024</capacityInKB></device>"
	"<device xsi:type=\"VirtualVmxnet3\"><key>4000</key><deviceInfo><label>Network adapter 1</label></deviceInfo>"
	"<backing xsi:type=\"VirtualEthernetCardNetworkBackingInfo\"><deviceName>VM Network</deviceName>"
	"<network type=\"Network\">network-7</network></backing><macAddress>00:50:56:aa:bb:01</macAddress></device>"
	"<device xsi:type=\"VirtualE1000e\"><key>4001</key><deviceInfo><label>Network adapter 2</label></deviceInfo>"
	"<backing xsi:type=\"VirtualEthernetCardDistributedVirtualPortBackingInfo\"><port>"
	"<switchUuid>50 2d</switchUuid><portgroupKey>dvportgroup-21</portgroupKey></port></backing>"
	"<macAddress>00:50:56:aa:bb:02</macAddress></device>"
	"</val></propSet>"
	"<propSet><name>guest.net</name><val xsi:type=\"ArrayOfGuestNicInfo\">"
	"<GuestNicInfo><network>VM Network</network><ipAddress>10.0.0.5</ipAddress><ipAddress>fe80::1</ipAddress>"
	"<macAddress>00:50:56:aa:bb:01</macAddress><connected>true</connected><deviceConfigId>4000</deviceConfigId>"
	"<ipConfig><ipAddress><ipAddress>10.0.0.5</ipAddress><prefixLength>24</prefixLength><origin>dhcp</origin>"
	"<state>preferred</state></ipAddress><ipAddress><ipAddress>fe80::1</ipAddress><prefixLength>64</prefixLength>"
	"<origin>linklayer</origin><state>unknown</state></ipAddress></ipConfig></GuestNicInfo></val></propSet>"
	"<propSet><name>snapshot</name><val xsi:type=\"VirtualMachineSnapshotInfo\">"
	"<currentSnapshot type=\"VirtualMachineSnapshot\">snapshot-9</currentSnapshot>"
	"<rootSnapshotList><snapshot type=\"VirtualMachineSnapshot\">snapshot-8</snapshot>"
	"<vm type=\"VirtualMachine\">vm-42</vm><name>base</name>"
	"<childSnapshotList><snapshot type=\"VirtualMachineSnapshot\">snapshot-9</snapshot>"
	"<vm type=\"VirtualMachine\">vm-42</vm><name>mtv-steps-snapshot-1</name></childSnapshotList>"
	"</rootSnapshotList></val></propSet>"
	"</objects>"
	"<objects><obj type=\"Network\">network-7</obj>"
	"<propSet><name>name</name><val xsi:type=\"xsd:string\">VM Network</val></propSet></objects>"
	"<objects><obj type=\"DistributedVirtualPortgroup\">dvportgroup-21</obj>"
	"<propSet><name>name</name><val xsi:type=\"xsd:string\">pg-migration</val></propSet></objects>"
	"</returnval></RetrievePropertiesExResponse>" ENV_CLOSE;

/* The facts vsphere_vms_parse reads from the RetrievePropertiesEx answer
 * xml for the one VM ref; free with vsphere_vms_free(vm, 1). */
static struct vsphere_vm *parse_one(const char *xml, const char *ref)
{
	struct vsphere_vm *vms = calloc(1, sizeof(*vms));
	struct mtv_err err = { 0 };
	xmlDocPtr doc;
	xmlNodePtr body;

	assert_non_null(vms);
	snprintf(vms->ref.type, sizeof(vms->ref.type), "VirtualMachine");
	snprintf(vms->ref.value, sizeof(vms->ref.value), "%s", ref);
	assert_int_equal(vsphere_soap_parse(xml, strlen(xml), 200, "RetrievePropertiesEx", &doc, &body, &err), 0);
	assert_int_equal(vsphere_vms_parse(vsphere_child(body, "returnval"), vms, 1, &err), 0);
	xmlFreeDoc(doc);
	return vms;
}

static void test_vm_facts(void **state)
{
	struct vsphere_vm *vms;

	(void)state;
	vms = parse_one(facts_xml, "vm-42");

	assert_string_equal(vms->name, "rhel8-warm");
	assert_string_equal(vms->parent.value, "group-v3");
	assert_int_equal(vms->num_cpu, 4);
	assert_int_equal(vms->cores_per_socket, 2);
	assert_int_equal(vms->memory_mb, 8192);
	assert_string_equal(vms->firmware, "efi");
	assert_true(vms->secure_boot);
	assert_string_equal(vms->guest_id, "rhel8_64Guest");
	assert_string_equal(vms->annotation, "Created by mtv-steps session s1 for warm");
	assert_string_equal(vms->session, "s1");
	assert_true(vms->cbt);
	assert_false(vms->template_);
	assert_string_equal(vms->power_state, "poweredOff");
	/* the serial from the UUID, upper-case hex read as lower case */
	assert_string_equal(vms->bios_serial, "VMware-42 1c 5b 7e 8a 5f 2c 3d-9e 4f 01 23 45 67 89 ab");

	assert_int_equal(vms->ndisks, 3);
	assert_string_equal(vms->disks[0].label, "Hard disk 1");
	assert_string_equal(vms->disks[0].file, "[ds1] rhel8/rhel8.vmdk");
	assert_string_equal(vms->disks[0].datastore.value, "datastore-12");
	assert_int_equal(vms->disks[0].capacity_bytes, 17179869184LL);
	assert_int_equal(vms->disks[0].key, 2000);
	assert_int_equal(vms->disks[0].controller_key, 1000);
	assert_int_equal(vms->disks[0].unit, 0);
	assert_string_equal(vms->disks[0].disk_mode, "persistent");
	assert_string_equal(vms->disks[0].provisioning, "thin");
	/* no capacityInBytes (older vCenter): from capacityInKB */
	assert_int_equal(vms->disks[1].capacity_bytes, 1073741824LL);
	assert_int_equal(vms->disks[1].unit, 8);
	assert_string_equal(vms->disks[1].disk_mode, "independent_persistent");
	assert_string_equal(vms->disks[1].provisioning, "thick-eager");
	assert_string_equal(vms->disks[2].provisioning, "thick-lazy");
	assert_int_equal(vms->disks[2].key, 2002);

	assert_int_equal(vms->nnics, 2);
	assert_string_equal(vms->nics[0].label, "Network adapter 1");
	assert_string_equal(vms->nics[0].mac, "00:50:56:aa:bb:01");
	assert_string_equal(vms->nics[0].network, "VM Network");
	assert_string_equal(vms->nics[0].network_ref.type, "Network");
	assert_string_equal(vms->nics[0].network_ref.value, "network-7");
	/* a distributed port: its name only from the port group object */
	assert_string_equal(vms->nics[1].network, "pg-migration");
	assert_string_equal(vms->nics[1].network_ref.type, "DistributedVirtualPortgroup");
	assert_string_equal(vms->nics[1].network_ref.value, "dvportgroup-21");

	assert_int_equal(vms->nguest_nics, 1);
	assert_int_equal(vms->guest_nics[0].nips, 2);
	assert_string_equal(vms->guest_nics[0].ips[1], "fe80::1");
	assert_int_equal(vms->guest_nics[0].nip_config, 2);
	assert_string_equal(vms->guest_nics[0].ip_config[0].address, "10.0.0.5");
	assert_string_equal(vms->guest_nics[0].ip_config[0].origin, "dhcp");
	assert_string_equal(vms->guest_nics[0].ip_config[1].origin, "linklayer");

	/* depth first, names and morefs in step */
	assert_int_equal(vms->nsnapshots, 2);
	assert_string_equal(vms->snapshots[0], "base");
	assert_string_equal(vms->snapshots[1], "mtv-steps-snapshot-1");
	assert_string_equal(vms->snapshot_refs[1].name, "mtv-steps-snapshot-1");
	assert_string_equal(vms->snapshot_refs[0].ref.value, "snapshot-8");
	assert_string_equal(vms->snapshot_refs[1].ref.value, "snapshot-9");
	assert_string_equal(vms->snapshot_refs[1].ref.type, "VirtualMachineSnapshot");
	vsphere_vms_free(vms, 1);
}

static void test_vm_facts_absent(void **state)
{
	/* a bare VM: no annotation is "", no session is NULL, no serial
	 * without a UUID; an object not asked for is left alone */
	const char *xml = ENV_OPEN "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>"
			  "<objects><obj type=\"VirtualMachine\">vm-1</obj>"
			  "<propSet><name>name</name><val>bare</val></propSet>"
			  "<propSet><name>config.extraConfig</name><val xsi:type=\"ArrayOfOptionValue\">"
			  "<OptionValue><key>other</key><value>x</value></OptionValue></val></propSet></objects>"
			  "<objects><obj type=\"VirtualMachine\">vm-2</obj>"
			  "<propSet><name>name</name><val>not asked</val></propSet></objects>"
			  "</returnval></RetrievePropertiesExResponse>" ENV_CLOSE;
	struct vsphere_vm *vms;

	(void)state;
	vms = parse_one(xml, "vm-1");
	assert_string_equal(vms->name, "bare");
	assert_string_equal(vms->annotation, "");
	assert_null(vms->session);
	assert_null(vms->bios_serial);
	assert_false(vms->cbt);
	assert_int_equal(vms->ndisks, 0);
	vsphere_vms_free(vms, 1);
}

static void test_vm_facts_repeated(void **state)
{
	/* A property sent twice for one VM (make fuzz found the second
	 * overwriting, and leaking, the first): the first value is kept and
	 * nothing is doubled. */
	const char *xml = ENV_OPEN "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>"
			  "<objects><obj type=\"VirtualMachine\">vm-1</obj>"
			  "<propSet><name>name</name><val>first</val></propSet>"
			  "<propSet><name>config.uuid</name><val>u1</val></propSet>"
			  "<propSet><name>config.hardware</name><val><numCPU>2</numCPU><device xsi:type=\"VirtualDisk\">"
			  "<key>2000</key><deviceInfo><label>Hard disk 1</label></deviceInfo></device></val></propSet>"
			  "<propSet><name>name</name><val>second</val></propSet>"
			  "<propSet><name>config.uuid</name><val>u2</val></propSet>"
			  "<propSet><name>config.hardware</name><val><numCPU>8</numCPU><device xsi:type=\"VirtualDisk\">"
			  "<key>2001</key><deviceInfo><label>Hard disk 9</label></deviceInfo></device></val></propSet>"
			  "<propSet><name>config.extraConfig</name><val><OptionValue><key>mtv-steps.session</key>"
			  "<value>s1</value></OptionValue></val></propSet>"
			  "<propSet><name>config.extraConfig</name><val><OptionValue><key>mtv-steps.session</key>"
			  "<value>s2</value></OptionValue></val></propSet></objects>"
			  "</returnval></RetrievePropertiesExResponse>" ENV_CLOSE;
	struct vsphere_vm *vms;

	(void)state;
	vms = parse_one(xml, "vm-1");
	assert_string_equal(vms->name, "first");
	assert_string_equal(vms->uuid, "u1");
	assert_string_equal(vms->session, "s1");
	assert_int_equal(vms->num_cpu, 2);
	assert_int_equal(vms->ndisks, 1);
	assert_string_equal(vms->disks[0].label, "Hard disk 1");
	vsphere_vms_free(vms, 1);
}

static void test_bios_serial(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(vsphere_bios_serial("421c5b7e-8a5f-2c3d-9e4f-0123456789ab", out, sizeof(out)), 0);
	assert_string_equal(out, "VMware-42 1c 5b 7e 8a 5f 2c 3d-9e 4f 01 23 45 67 89 ab");
	/* the pair govmomi's simulator tests its DMI serial with */
	assert_int_equal(vsphere_bios_serial("423e36c8-723d-2b24-8590-0eb1d9180aa2", out, sizeof(out)), 0);
	assert_string_equal(out, "VMware-42 3e 36 c8 72 3d 2b 24-85 90 0e b1 d9 18 0a a2");
	assert_int_equal(strlen(out), 54);
	assert_int_equal(vsphere_bios_serial("423e36c8-723d-2b24-8590-0eb1d9180aa2", out, 55), 0);
	assert_int_equal(vsphere_bios_serial("423e36c8-723d-2b24-8590-0eb1d9180aa2", out, 54), -1);
	assert_int_equal(vsphere_bios_serial("423e36c8-723d-2b24-8590-0eb1d9180aa", out, sizeof(out)), -1);
	assert_int_equal(vsphere_bios_serial("423e36c8-723d-2b24-8590-0eb1d9180aa22", out, sizeof(out)), -1);
	assert_int_equal(vsphere_bios_serial("z23e36c8-723d-2b24-8590-0eb1d9180aa2", out, sizeof(out)), -1);
	assert_int_equal(vsphere_bios_serial("", out, sizeof(out)), -1);
	assert_int_equal(vsphere_bios_serial(NULL, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_fault_xsi_type),
		cmocka_unit_test(test_fault_element_name),
		cmocka_unit_test(test_not_soap),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_vm_facts),
		cmocka_unit_test(test_vm_facts_absent),
		cmocka_unit_test(test_vm_facts_repeated),
		cmocka_unit_test(test_bios_serial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
