/* lib/vsphere's SOAP layer on fixed XML: envelopes, faults (with and without
 * xsi:type), non-SOAP answers, and the escaping of request text.  The fault
 * bodies are the shapes vCenter and vcsim send. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_fault_xsi_type),
		cmocka_unit_test(test_fault_element_name),
		cmocka_unit_test(test_not_soap),
		cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
