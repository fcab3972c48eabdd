#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "gotmpl.h"

/* Fields as Forklift fills PVCNameTemplateData for a vSphere disk, plus a
 * few extra ones to exercise the types. */
static const char *DATA_JSON =
	"{\"FileName\": \"mtv_win2022_disk-1.vmdk\", \"DiskIndex\": 1,"
	" \"RootDiskIndex\": 0, \"PlanName\": \"migrate-windows-servers-prod\","
	" \"TargetVmName\": \"win2022-sql-server-01\", \"VmName\": \"Win2022 SQL Server 01\","
	" \"VmId\": \"vm-1234\", \"WinDriveLetter\": \"c\", \"Shared\": false,"
	" \"Name\": \"  Hello World \\t\", \"Ratio\": 2.5, \"Big\": 4294967296,"
	" \"Vm\": {\"Name\": \"inner\"}, \"Nothing\": null, \"List\": [1]}";

static cJSON *data;

static int setup(void **state)
{
	(void)state;
	data = cJSON_Parse(DATA_JSON);
	return data ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cJSON_Delete(data);
	return 0;
}

static void check_ok(const char *tmpl, const char *want, int line)
{
	struct mtv_err err = { 0 };
	struct buf out;
	int rc;

	buf_init(&out, 0);
	rc = gotmpl_render(tmpl, data, &out, &err);
	if (rc != 0 || strcmp(buf_str(&out), want) != 0) {
		char got[MTV_ERR_MSG_MAX + 64];

		snprintf(got, sizeof(got), "%s", rc ? err.msg : buf_str(&out));
		buf_release(&out);
		fail_msg("line %d: %s\n  want \"%s\"\n  got%s \"%s\"", line, tmpl, want,
			 rc ? " error" : "", got);
	}
	buf_release(&out);
}

static void check_err(const char *tmpl, const char *want, int line)
{
	struct mtv_err err = { 0 };
	struct buf out;
	int rc;

	buf_init(&out, 0);
	buf_addstr(&out, "keep");
	rc = gotmpl_render(tmpl, data, &out, &err);
	if (rc != -1 || err.code != MTV_EXIT_USAGE || !strstr(err.msg, want) ||
	    strcmp(buf_str(&out), "keep") != 0) {
		char got[MTV_ERR_MSG_MAX + 64];

		snprintf(got, sizeof(got), "%s", rc ? err.msg : buf_str(&out));
		buf_release(&out);
		fail_msg("line %d: %s\n  want error containing \"%s\"\n  got rc %d: \"%s\"",
			 line, tmpl, want, rc, got);
	}
	buf_release(&out);
}

#define OK(t, w) check_ok((t), (w), __LINE__)
#define ERR(t, w) check_err((t), (w), __LINE__)

static void test_forklift_templates(void **state)
{
	(void)state;
	OK("{{ .FileName | trimSuffix \".vmdk\" | replace \"_\" \"-\" }}-{{.DiskIndex}}",
	   "mtv-win2022-disk-1-1");
	OK("{{trunc 15 .PlanName}}-{{trunc 15 .TargetVmName}}-disk-{{.DiskIndex}}",
	   "migrate-windows-win2022-sql-ser-disk-1");
	/* The v2.12 default and the OCP default. */
	OK("{{trunc 4 .PlanName}}-{{trunc 4 .VmName}}-disk-{{.DiskIndex}}", "migr-Win2-disk-1");
	OK("{{ .VmName | lower | nospace | trunc 10 }}-{{ .WinDriveLetter }}", "win2022sql-c");
}

static void test_text_and_literals(void **state)
{
	(void)state;
	OK("", "");
	OK("plain text }} only", "plain text }} only");
	OK("{{ \"a\\tb\\n\\\\\\\"\" }}", "a\tb\n\\\"");
	OK("{{ `raw\\n{{x}}` }}", "raw\\n{{x}}");
	OK("{{ \"\\u00e9\\x41\\101\" }}", "\xc3\xa9" "AA");
	OK("{{ -5 }} {{ 0x1F }} {{ 2.5 }} {{ 1e3 }} {{ +7 }}", "-5 31 2.5 1000 7");
	OK("{{ true }} {{ false }} {{ .Shared }}", "true false false");
	OK("{{ .Big }} {{ .Ratio }} {{ .Vm.Name }}", "4294967296 2.5 inner");
	OK("{{ 0b101 }} {{ 0o17 }} {{ -0x10 }} {{ 017 }}", "5 15 -16 15");
	OK("{{ 0.0001 }} {{ 0.00001 }} {{ 100000.0 }} {{ 1234567.0 }}", "0.0001 1e-05 100000 1.234567e+06");
	OK("{{ \"}}\" }}{{ `{{` }}", "}}{{");
	OK("a{{/* a comment */}}b", "ab");
}

static void test_trim_markers(void **state)
{
	(void)state;
	OK("a  {{- \"b\" -}}  c", "abc");
	OK("a {{ \"b\" }} c", "a b c");
	OK("disk\n\t{{- .DiskIndex -}}\n\n", "disk1");
	/* "{{-3}}" has no space after the dash: it is the number -3. */
	OK("x {{-3}}", "x -3");
	OK("a\n {{- /* gone */ -}} \n b", "ab");
	OK("{{ .DiskIndex }}  {{- \" x\" }}", "1 x");
}

static void test_pipelines_and_parens(void **state)
{
	(void)state;
	OK("{{ \"ABC\" | lower | printf \"%s-x\" }}", "abc-x");
	OK("{{ .DiskIndex | add1 | printf \"%03d\" }}", "002");
	OK("{{ printf \"%s-%d\" (lower .VmName | nospace) (add1 .DiskIndex) }}",
	   "win2022sqlserver01-2");
	OK("{{ add (add (add 1 2) 3) 4 }}", "10");
	OK("{{ (\"x\") }}{{ (((5))) }}", "x5");
	/* A function name as an argument is a call without arguments. */
	OK("{{ add1 add }}", "1");
}

static void test_string_functions(void **state)
{
	(void)state;
	OK("{{ lower \"HeLLo-1\" }}|{{ lower \"\" }}", "hello-1|");
	OK("{{ upper \"abc-1\" }}|{{ upper \"\xc3\xa9\" }}", "ABC-1|\xc3\xa9");
	OK("{{ title \"hello world-foo bar_baz\" }}|{{ title \"\" }}", "Hello World-Foo Bar_baz|");
	OK("{{ untitle \"Hello World\" }}|{{ untitle \"ABC\" }}", "hello world|aBC");
	/* words split by any whitespace; a word's first rune, letter or not */
	OK("{{ untitle \"  Ab\\tCD 1Xy \xc3\x89t\xc3\xa9\" }}", "  ab\tcD 1Xy \xc3\x89t\xc3\xa9");
	OK("[{{ trim .Name }}]|[{{ trim \" \\t\\n\" }}]", "[Hello World]|[]");
	OK("{{ trimAll \"-\" \"--a-b--\" }}|{{ trimAll \"ab\" \"abba\" }}|{{ trimAll \"\" \"xx\" }}",
	   "a-b||xx");
	OK("{{ trimSuffix \".vmdk\" .FileName }}|{{ trimSuffix \".img\" \"a.vmdk\" }}|{{ trimSuffix \"\" \"a\" }}",
	   "mtv_win2022_disk-1|a.vmdk|a");
	OK("{{ trimPrefix \"vm-\" .VmId }}|{{ trimPrefix \"x\" .VmId }}", "1234|vm-1234");
	OK("{{ replace \"_\" \"-\" \"a_b_c\" }}|{{ replace \"\" \"-\" \"ab\" }}|{{ replace \"_\" \"\" \"a_b\" }}|{{ replace \"x\" \"y\" \"\" }}",
	   "a-b-c|-a-b-|ab|");
	OK("{{ \"a.b.c\" | replace \".\" \"--\" }}", "a--b--c");
	OK("{{ contains \"sql\" .TargetVmName }} {{ contains \"x\" \"\" }} {{ contains \"\" \"\" }}",
	   "true false true");
	OK("{{ hasPrefix \"win\" .TargetVmName }} {{ hasPrefix \"abc\" \"ab\" }}", "true false");
	OK("{{ hasSuffix \".vmdk\" .FileName }} {{ hasSuffix \"abc\" \"bc\" }}", "true false");
	OK("{{ repeat 3 \"ab\" }}|{{ repeat 0 \"ab\" }}|{{ repeat 5 \"\" }}", "ababab||");
	OK("{{ substr 0 3 \"abcdef\" }}|{{ substr 2 100 \"abcdef\" }}|{{ substr -1 2 \"abcdef\" }}|"
	   "{{ substr 2 -1 \"abcdef\" }}|{{ substr 3 3 \"abcdef\" }}", "abc|cdef|ab|cdef|");
	OK("{{ nospace \" a b\\tc\\n\" }}|{{ nospace \"\" }}", "abc|");
	OK("{{ trunc 3 \"abcdef\" }}|{{ trunc 10 \"abc\" }}|{{ trunc -2 \"abcdef\" }}|"
	   "{{ trunc -10 \"abc\" }}|{{ trunc 0 \"abc\" }}", "abc|abc|ef|abc|");
	OK("{{ initials \"Win Server  prod\" }}|{{ initials \"\" }}", "WSp|");
	OK("{{ initials \"\\t\xc3\x89t\xc3\xa9 x\\ny\" }}|{{ nospace \"\xc3\xa9 \xe2\x80\x83x\" }}", "\xc3\x89xy|\xc3\xa9x");
}

static void test_regex_replace(void **state)
{
	(void)state;
	OK("{{ mustRegexReplaceAll \"[^a-z0-9-]\" \"Win_2022.Disk\" \"-\" }}", "-in-2022--isk");
	OK("{{ mustRegexReplaceAll \"([a-z]+)-([0-9]+)\" \"disk-12 vm-3\" \"${2}_$1\" }}",
	   "12_disk 3_vm");
	/* Empty matches: Go inserts before each rune and at the end. */
	OK("{{ mustRegexReplaceAll \"x*\" \"abc\" \"-\" }}", "-a-b-c-");
	OK("{{ mustRegexReplaceAll \"\\\\d+\" \"disk12x3\" \"N\" }}", "diskNxN");
	OK("{{ mustRegexReplaceAll \"a\" \"banana\" \"$$\" }}", "b$n$n$");
	/* No match leaves the string; ${name} expands to nothing. */
	OK("{{ mustRegexReplaceAll \"z\" \"abc\" \"y\" }}|{{ mustRegexReplaceAll \"b\" \"abc\" \"${x}\" }}",
	   "abc|ac");
	/* RE2 is leftmost-first ("x|y: prefer x"); POSIX regcomp gave "X". */
	OK("{{ mustRegexReplaceAll \"a|ab\" \"ab\" \"X\" }}", "Xb");
	OK("{{ mustRegexReplaceAll \"-0*\" .TargetVmName \"_\" }}", "win2022_sql_server_1");
	/* A piped value is the LAST argument, here the replacement, as in Go. */
	OK("{{ .TargetVmName | mustRegexReplaceAll \"-0*\" \"_\" }}", "_");
	ERR("{{ mustRegexReplaceAll \"(\" \"x\" \"y\" }}",
	    "error calling mustRegexReplaceAll: error parsing regexp: missing closing ): `(`");
	/* RE2 escapes are read as Go reads them. */
	OK("{{ mustRegexReplaceAll `[\\d.]+` \"v1.2-rc\" \"N\" }}", "vN-rc");
	OK("{{ mustRegexReplaceAll `\\.vmdk$` .FileName \"\" }}", "mtv_win2022_disk-1");
	OK("{{ mustRegexReplaceAll `\\s+` \"a b\\tc\" \"_\" }}", "a_b_c");
	OK("{{ mustRegexReplaceAll `[\\s_]` \"a b_c\" \"-\" }}", "a-b-c");
	/* Refused by the POSIX translation, RE2 syntax now. */
	OK("{{ mustRegexReplaceAll `(?i)a` \"A\" \"b\" }}", "b");
	OK("{{ mustRegexReplaceAll `a+?` \"aa\" \"b\" }}", "bb");
	OK("{{ mustRegexReplaceAll `\\pL` \"a\" \"b\" }}", "b");
}

/* mustRegexReplaceAll PATTERN SRC REPL with PATTERN and REPL raw (`...`)
 * and SRC a Go "..." string. */
#define RX(pat, src, repl) "{{ mustRegexReplaceAll `" pat "` \"" src "\" `" repl "` }}"

/* What Go's regexp (RE2 syntax, pkg.go.dev/regexp/syntax) does, where the
 * old translation to POSIX regcomp did something else or refused. */
static void test_regex_re2(void **state)
{
	(void)state;
	/* Leftmost-first alternation and lazy repetition. */
	OK(RX("a|ab", "ab abc", "X"), "Xb Xbc");
	OK(RX("(a|ab)(c|bcd)", "abcd", "[$1,$2]"), "[a,bcd]");
	OK(RX("<.+?>", "<a><b>", "X"), "XX");
	OK(RX("<.+>", "<a><b>", "X"), "X");
	OK(RX("a{2,3}?", "aaaa", "X"), "XX");
	OK(RX("(?U)a+", "aa", "X"), "XX");
	/* Perl classes are ASCII; \s has no \v; \v is the vertical tab. */
	OK(RX("\\d+", "x\u0661\u06623", "N"), "x\u0661\u0662N");
	OK(RX("\\w+", "h\u00e9llo", "W"), "W\u00e9W");
	OK(RX("\\s", "a\\vb c", "_"), "a\vb_c");
	OK(RX("[\\s]", "a\\vb c", "_"), "a\vb_c");
	OK(RX("\\S+", "a\\vb c", "W"), "W W");
	OK(RX("[\\S]", " \\v", "W"), " W");
	OK(RX("\\v", "a\\vb", "V"), "aVb");
	OK(RX("[\\s-z]", "a-z ", "_"), "a___");
	OK(RX("\\bcat\\b", "cat concat cat.", "X"), "X concat X.");
	OK(RX("\\Bcat", "cat concat", "X"), "cat conX");
	/* Flags: case folding is Unicode's (K matches the Kelvin sign). */
	OK(RX("(?i)disk", "DISK-Disk", "d"), "d-d");
	OK(RX("(?i)k", "\u212a", "k"), "k");
	OK(RX("(?i:a)b", "AB Ab", "X"), "AB X");
	OK(RX("(?s)a.b", "a\\nb", "X"), "X");
	OK(RX("a.b", "a\\nb", "X"), "a\nb");
	OK(RX("(?m)^a", "a\\na", "X"), "X\nX");
	/* $ is the end of the text (like \z, not \Z), and ^ its start. */
	OK(RX("a$", "a\\n", "X"), "a\n");
	OK(RX("a\\z", "aa", "X"), "aX");
	OK(RX("^a", "aa", "X"), "Xa");
	/* Go repeats an assertion; PCRE2 needs it in a group. */
	OK(RX("^*a", "a", "X"), "X");
	OK(RX("x\\b+", "x y", "X"), "X y");
	/* Named groups, and Go's Expand. */
	OK(RX("(?P<name>[a-z]+)-(?P<num>[0-9]+)", "disk-12", "${num}_${name}"), "12_disk");
	OK(RX("(?<name>[a-z]+)", "disk", "<$name>"), "<disk>");
	OK(RX("(?P<n>a)", "a", "[${x}${2}$n]"), "[a]");
	OK(RX("(a)", "a", "[$1x|${1}x|$01|$$1|$|${1]"), "[|ax||$1|$|${1]");
	OK(RX("(a)|(b)", "b", "[$1|$2]"), "[|b]");
	/* Unicode classes. */
	OK(RX("\\p{Greek}+", "\u03b1\u03b2\u03b3-abc", "G"), "G-abc");
	OK(RX("\\pL+", "a\u00f1b1", "L"), "L1");
	OK(RX("\\PL", "a\u00f1b1", "_"), "a\u00f1b_");
	OK(RX("[\\p{Lu}]", "aB\u00c9c", "U"), "aUUc");
	OK(RX("\\p{^Lu}", "aB", "_"), "_B");
	OK(RX("[[:alpha:]]+", "ab\u00e91", "A"), "A\u00e91");
	/* Escapes: octal, hex, \Q...\E, punctuation. */
	OK(RX("\\101", "BAB", "X"), "BXB");
	OK(RX("\\x41\\x{42}", "AB", "X"), "X");
	OK(RX("\\Q.*\\E", "a.*b", "X"), "aXb");
	OK(RX("\\-\\ ", "a- b", "X"), "aXb");
	OK(RX("x{,2}", "x{,2}", "X"), "X");
	/* What RE2 refuses is refused, with Go's regexp.Compile error. */
	ERR(RX("(a)\\1", "aa", ""), "error parsing regexp: invalid escape sequence: `\\1`");
	ERR(RX("\\8", "8", ""), "error parsing regexp: invalid escape sequence: `\\8`");
	ERR(RX("a(?=b)", "ab", ""), "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
	ERR(RX("a(?!b)", "ab", ""), "invalid or unsupported Perl syntax: `(?!`");
	ERR(RX("(?<=a)b", "ab", ""), "error parsing regexp: invalid named capture: `(?<=a)b`");
	ERR(RX("(?>a)", "a", ""), "invalid or unsupported Perl syntax: `(?>`");
	ERR(RX("(?#c)a", "a", ""), "invalid or unsupported Perl syntax: `(?#`");
	ERR(RX("(?x)a", "a", ""), "invalid or unsupported Perl syntax: `(?x`");
	ERR(RX("(?P=n)", "a", ""), "invalid or unsupported Perl syntax: `(?P`");
	ERR(RX("(?P<a-b>x)", "x", ""), "invalid named capture: `(?P<a-b>`");
	ERR(RX("a*+", "a", ""), "error parsing regexp: invalid nested repetition operator: `*+`");
	ERR(RX("a**", "a", ""), "invalid nested repetition operator: `**`");
	ERR(RX("a{2}{3}", "a", ""), "invalid nested repetition operator: `{2}{3}`");
	ERR(RX("(*UTF)a", "a", ""), "missing argument to repetition operator: `*`");
	ERR(RX("a{1001}", "a", ""), "error parsing regexp: invalid repeat count: `{1001}`");
	ERR(RX("a{3,2}", "a", ""), "invalid repeat count: `{3,2}`");
	ERR(RX("\\Z", "a", ""), "invalid escape sequence: `\\Z`");
	ERR(RX("\\h", "a", ""), "invalid escape sequence: `\\h`");
	ERR(RX("\\K", "a", ""), "invalid escape sequence: `\\K`");
	ERR(RX("\\x4", "a", ""), "invalid escape sequence: `\\x4`");
	ERR(RX("[\\b]", "a", ""), "invalid escape sequence: `\\b`");
	/* Go 1.25 (Forklift's go.mod) looks \p names up loosely (unicodeTable:
	 * case, '_', '-', ' ' ignored) in its own tables: Go's aliases work,
	 * PCRE2's extra names (Xan, Grek, Alphabetic) do not, nor a script
	 * whose key has an '_' (Old_Italic), as in Go 1.25. */
	OK(RX("\\p{greek}+", "\u03b1\u03b2-a", "G"), "G-a");
	OK(RX("\\p{Letter}+|\\p{ascii}", "a\u00f1 1\u00b2", "_"), "___\u00b2");
	OK(RX("[\\P{ASCII}]", "a\u00f1", "_"), "a_");
	OK(RX("\\p{LC}", "aB1", "_"), "__1");
	ERR(RX("\\p{Xan}", "a", ""), "invalid character class range: `\\p{Xan}`");
	ERR(RX("\\p{Grek}", "a", ""), "invalid character class range: `\\p{Grek}`");
	ERR(RX("\\p{Alphabetic}", "a", ""), "invalid character class range: `\\p{Alphabetic}`");
	ERR(RX("\\p{Old_Italic}", "a", ""), "invalid character class range: `\\p{Old_Italic}`");
	ERR(RX("[a", "a", ""), "error parsing regexp: missing closing ]: `[a`");
	ERR(RX("a)", "a", ""), "error parsing regexp: unexpected ): `a)`");
	ERR(RX("a\\", "a", ""), "error parsing regexp: trailing backslash at end of expression: ``");
}

static void test_math_functions(void **state)
{
	(void)state;
	OK("{{ add 1 2 3 }} {{ add }} {{ add .DiskIndex 10 }} {{ add \"5\" 1 }} {{ add \"x\" 1 }}",
	   "6 0 11 6 1");
	OK("{{ add1 .DiskIndex }} {{ add1 -1 }} {{ add1 2.9 }}", "2 0 3");
	OK("{{ sub 10 3 }} {{ sub 0 5 }}", "7 -5");
	OK("{{ div 7 2 }} {{ div -7 2 }}", "3 -3");
	OK("{{ mod 7 3 }} {{ mod -7 3 }}", "1 -1");
	OK("{{ mul 2 3 4 }} {{ mul 5 }}", "24 5");
	OK("{{ max 1 5 3 }} {{ max -1 }}", "5 -1");
	OK("{{ min 4 2 8 }} {{ min 3 }}", "2 3");
	OK("{{ mod -9223372036854775807 -1 }} {{ max -3 -1 -2 }} {{ min -3 -1 -4 }}", "0 -1 -4");
	OK("{{ floor 2.7 }} {{ floor -2.5 }} {{ floor .Ratio }} {{ floor 3 }} {{ floor 1e7 }}",
	   "2 -3 2 3 1e+07");
	OK("{{ ceil 2.1 }} {{ ceil -2.5 }} {{ ceil \"1.5\" }}", "3 -2 2");
	OK("{{ round 2.5 0 }} {{ round 3.14159 2 }} {{ round -2.5 0 }} {{ round 2.45 0 0.4 }}",
	   "3 3.14 -3 3");
	OK("{{ div 9223372036854775807 -1 }} {{ add 9223372036854775807 1 }}",
	   "-9223372036854775807 -9223372036854775808");
	ERR("{{ div 1 0 }}", "integer divide by zero");
	ERR("{{ mod 1 0 }}", "integer divide by zero");
	ERR("{{ round 1.5 }}", "wrong number of args for round: want at least 2 got 1");
}

static void test_printf(void **state)
{
	(void)state;
	OK("{{ printf \"%s-%03d\" .PlanName .DiskIndex }}", "migrate-windows-servers-prod-001");
	OK("{{ printf \"%02d|%5s|%-5s|%05s\" 7 \"ab\" \"ab\" \"ab\" }}", "07|   ab|ab   |000ab");
	OK("{{ printf \"%v %v %v %v\" 1 \"x\" true 2.5 }}", "1 x true 2.5");
	OK("{{ printf \"%q\" \"a\\\"b\\n\" }}", "\"a\\\"b\\n\"");
	OK("{{ printf \"%05d|%+d|%x|%X|%o|%b|%#x\" -42 3 255 255 8 5 255 }}",
	   "-0042|+3|ff|FF|10|101|0xff");
	OK("{{ printf \"%.3s|%.2d|%c|%t\" \"abcdef\" 5 65 false }}", "abc|05|A|false");
	OK("{{ printf \"100%%\" }}", "100%");
	OK("{{ printf \"%.2f|%8.3f|%e|%g|%.3g|%08.2f\" 3.14159 2.5 1234.5678 0.1 1234.5678 -3.14159 }}",
	   "3.14|   2.500|1.234568e+03|0.1|1.23e+03|-0003.14");
	OK("{{ printf \"%f\" 1 }}", "%!f(int=1)");
	OK("{{ printf \"%#v|%v\" \"a\" 0.00001 }}", "\"a\"|1e-05");
	OK("{{ .DiskIndex | printf \"disk-%d\" }}", "disk-1");
	/* Go's fmt reports argument problems in the output, not as errors. */
	OK("{{ printf \"%d\" \"x\" }}", "%!d(string=x)");
	OK("{{ printf \"%s\" 5 }}", "%!s(int=5)");
	OK("{{ printf \"%d %d\" 1 }}", "1 %!d(MISSING)");
	OK("{{ printf \"%d\" 1 \"b\" }}", "1%!(EXTRA string=b)");
	OK("{{ printf \"%d\" (add 1 2) }}", "3");
	ERR("{{ printf \"%U\" 1 }}", "printf: verb %U is not supported");
	ERR("{{ printf 3 }}", "wrong type for argument 1 of printf: expected string; got int");
	ERR("{{ printf }}", "wrong number of args for printf: want at least 1 got 0");
}

static void test_errors(void **state)
{
	(void)state;
	ERR("abc {{ .PlanName ", "template \"abc {{ .PlanName \": 1:5: unclosed action");
	ERR("abc {{ .PlanName", "unclosed action");
	ERR("{{ foo .PlanName }}", "1:4: function \"foo\" not defined");
	ERR("{{ .Nope }}", "1:4: unknown field .Nope");
	ERR("line1\n  {{ .Nope }}", "2:6: unknown field .Nope");
	ERR("{{ .Vm.Nope }}", "unknown field .Nope");
	ERR("{{ .Nothing }}", "unsupported type null");
	ERR("{{ .List }}", "unsupported type array");
	ERR("{{ .PlanName.X }}", "is not an object");
	ERR("{{ trunc 3 }}", "wrong number of args for trunc: want 2 got 1");
	ERR("{{ lower \"a\" \"b\" }}", "wrong number of args for lower: want 1 got 2");
	ERR("{{ trunc \"3\" .PlanName }}", "expected int; got string");
	ERR("{{ .DiskIndex | trimSuffix \"x\" }}", "expected string; got int");
	/* Go: sprig's math returns int64, which an int parameter refuses. */
	ERR("{{ trunc (add 1 2) .PlanName }}", "expected int; got int64");
	ERR("{{ if .Shared }}x{{ end }}", "\"if\" actions are not supported");
	ERR("{{ range .List }}{{ end }}", "\"range\" actions are not supported");
	ERR("{{ $x := 1 }}", "variables are not supported");
	ERR("{{ . }}", "the whole data");
	ERR("{{ \"abc }}", "template \"{{ \\\"abc }}\": 1:4: unterminated quoted string");
	ERR("{{ `abc }}", "unterminated raw quoted string");
	ERR("{{ 12ab }}", "bad number syntax: 12ab");
	ERR("{{ \"\\q\" }}", "bad escape sequence");
	ERR("{{ }}", "missing value for command");
	ERR("{{ .PlanName | }}", "missing command after \"|\"");
	ERR("{{ | lower }}", "missing command before \"|\"");
	ERR("{{ .PlanName \"x\" }}", "can't give argument to non-function .PlanName");
	ERR("{{ .PlanName | .VmId }}", "can't give argument to non-function .VmId");
	ERR("{{ lower (\"x\" }}", "unclosed left paren");
	ERR("{{ \"x\" ) }}", "unexpected right paren");
	ERR("{{ 3-}}", "unexpected \"-\" in operand");
	ERR("{{/* open", "unclosed comment");
	ERR("{{ repeat -1 \"a\" }}", "negative Repeat count");
	ERR("{{ substr 4 2 \"abcdef\" }}", "slice bounds out of range");
	ERR("{{ substr 10 20 \"abc\" }}", "slice bounds out of range");
	ERR("{{ substr -1 10 \"abc\" }}", "slice bounds out of range");
	/* The whole template is checked before anything runs, as in Go. */
	ERR("{{ .Nope }}{{ foo }}", "function \"foo\" not defined");
}

static void test_limits(void **state)
{
	(void)state;
	struct mtv_err err = { 0 };
	struct buf out;
	char deep[256];
	int k, n = 0;

	/* GOTMPL_MAX_DEPTH parentheses are fine, one more is refused. */
	n += snprintf(deep + n, sizeof(deep) - (size_t)n, "{{ ");
	for (k = 0; k < GOTMPL_MAX_DEPTH; k++)
		deep[n++] = '(';
	deep[n++] = '1';
	for (k = 0; k < GOTMPL_MAX_DEPTH; k++)
		deep[n++] = ')';
	snprintf(deep + n, sizeof(deep) - (size_t)n, " }}");
	OK(deep, "1");
	n = 0;
	n += snprintf(deep + n, sizeof(deep) - (size_t)n, "{{ ");
	for (k = 0; k <= GOTMPL_MAX_DEPTH; k++)
		deep[n++] = '(';
	deep[n++] = '1';
	for (k = 0; k <= GOTMPL_MAX_DEPTH; k++)
		deep[n++] = ')';
	snprintf(deep + n, sizeof(deep) - (size_t)n, " }}");
	ERR(deep, "parentheses nested deeper than 32");

	ERR("{{ repeat 2000000 \"a\" }}", "result of repeat longer than");
	ERR("{{ repeat 1000 \"a\" | repeat 1000 | repeat 1000 }}", "result of repeat longer than");

	/* The caller's cap on the output is respected; out stays as it was. */
	buf_init(&out, 12);
	buf_addstr(&out, "pre-");
	assert_int_equal(gotmpl_render("{{ repeat 20 \"a\" }}", data, &out, &err), -1);
	assert_non_null(strstr(err.msg, "output longer than"));
	assert_string_equal(buf_str(&out), "pre-");
	assert_int_equal(gotmpl_render("{{ repeat 8 \"a\" }}", data, &out, &err), 0);
	assert_string_equal(buf_str(&out), "pre-aaaaaaaa");
	buf_release(&out);

	/* No data at all: literals still work, fields are unknown. */
	buf_init(&out, 0);
	assert_int_equal(gotmpl_render("{{ \"x\" | upper }}", NULL, &out, &err), 0);
	assert_string_equal(buf_str(&out), "X");
	assert_int_equal(gotmpl_render("{{ .A }}", NULL, &out, &err), -1);
	assert_int_equal(err.code, MTV_EXIT_USAGE);
	assert_int_equal(gotmpl_render(NULL, NULL, &out, &err), -1);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forklift_templates),
		cmocka_unit_test(test_text_and_literals),
		cmocka_unit_test(test_trim_markers),
		cmocka_unit_test(test_pipelines_and_parens),
		cmocka_unit_test(test_string_functions),
		cmocka_unit_test(test_regex_replace),
		cmocka_unit_test(test_regex_re2),
		cmocka_unit_test(test_math_functions),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
