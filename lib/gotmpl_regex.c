/* Go's regexp (RE2 syntax) for gotmpl's mustRegexReplaceAll, on PCRE2.
 *
 * PCRE2 matches leftmost-first like RE2, with the same greedy and lazy
 * repetition, but its syntax is a superset with a few different meanings.
 * re2_check walks the pattern once the way Go's regexp/syntax parser does:
 * it refuses what RE2 refuses (backreferences, lookarounds, atomic groups,
 * possessive and stacked quantifiers, (*VERB)s, conditionals, comments,
 * escapes Go does not know, repeat counts above 1000) with Go's error
 * text, and rewrites only the escapes PCRE2 reads differently:
 *   \s \S   Go: [\t\n\f\r ]; PCRE2's \s also has \v
 *   \v      Go: the vertical tab; PCRE2: any vertical space
 *   \123    Go: always octal; PCRE2: a backreference when groups exist
 * Everything else goes to PCRE2 as written.  Compile options:
 *   PCRE2_UTF              runes, as Go (invalid pattern UTF-8 is an error)
 *   PCRE2_MATCH_INVALID_UTF a subject with bad UTF-8 is searched, not refused
 *   PCRE2_NEVER_UCP        \d \w \b and [[:alpha:]] stay ASCII, as in Go
 *   PCRE2_DOLLAR_ENDONLY   $ is \z, not "before a final \n" (Go's $)
 *   PCRE2_NEVER_BACKSLASH_C, newline LF only: . and (?m) see only \n
 */
#include "gotmpl_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define RE2_MAX_REPEAT 1000	/* Go: "invalid repeat count" above */

struct re2 {
	const char *re;		/* the pattern as written */
	size_t len, i;
	struct sb out;		/* what PCRE2 compiles */
	char msg[256];		/* Go's message on error */
};

/* Go's *syntax.Error text: "error parsing regexp: CODE: `EXPR`". */
static int re2_err(struct re2 *c, const char *code, const char *expr, size_t len)
{
	if (len > 120)
		len = 120;
	snprintf(c->msg, sizeof(c->msg), "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
	return -1;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* The names \p{...} takes, as Go 1.25's regexp/syntax looks them up
 * (unicodeTable): the name is canonicalised (first letter upper case, the
 * rest lower case, '_' '-' ' ' dropped), then tried as Any, Assigned,
 * ASCII or LC, a key of unicode.Categories, a key of unicode.Scripts, and
 * a canonicalised key of unicode.CategoryAliases.  The tables are Go's
 * names (Unicode 15); a script key with '_' or an inner capital, such as
 * Old_Italic, never equals a canonical name, so Go refuses it too.
 * PCRE2's loose matching would take more (Grek, Alphabetic, Xan, bidi
 * classes), so the name PCRE2 gets is the one found here. */
static const char *const go_categories[] = {
	"C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M",
	"Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi",
	"Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
};

/* unicode.Scripts keys that are their own canonical name. */
static const char *const go_scripts[] = {
	"Adlam", "Ahom", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Batak",
	"Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid",
	"Carian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic",
	"Cuneiform", "Cypriot", "Cyrillic", "Deseret", "Devanagari", "Dogra", "Duployan",
	"Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha",
	"Greek", "Gujarati", "Gurmukhi", "Han", "Hangul", "Hanunoo", "Hatran", "Hebrew",
	"Hiragana", "Inherited", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi",
	"Kharoshthi", "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu",
	"Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic",
	"Manichaean", "Marchen", "Medefaidrin", "Miao", "Modi", "Mongolian", "Mro",
	"Multani", "Myanmar", "Nabataean", "Nandinagari", "Newa", "Nko", "Nushu", "Ogham",
	"Oriya", "Osage", "Osmanya", "Palmyrene", "Phoenician", "Rejang", "Runic",
	"Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham", "Sinhala", "Sogdian",
	"Soyombo", "Sundanese", "Syriac", "Tagalog", "Tagbanwa", "Takri", "Tamil",
	"Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta",
	"Toto", "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Yezidi", "Yi",
};

/* unicode.CategoryAliases, canonicalised, and the category each names. */
static const char *const go_aliases[][2] = {
	{ "Casedletter", "L&" }, { "Closepunctuation", "Pe" }, { "Combiningmark", "M" },
	{ "Connectorpunctuation", "Pc" }, { "Control", "Cc" }, { "Currencysymbol", "Sc" },
	{ "Dashpunctuation", "Pd" }, { "Decimalnumber", "Nd" }, { "Enclosingmark", "Me" },
	{ "Finalpunctuation", "Pf" }, { "Format", "Cf" }, { "Initialpunctuation", "Pi" },
	{ "Letter", "L" }, { "Letternumber", "Nl" }, { "Lineseparator", "Zl" },
	{ "Lowercaseletter", "Ll" }, { "Mark", "M" }, { "Mathsymbol", "Sm" },
	{ "Modifierletter", "Lm" }, { "Modifiersymbol", "Sk" }, { "Nonspacingmark", "Mn" },
	{ "Number", "N" }, { "Openpunctuation", "Ps" }, { "Other", "C" },
	{ "Otherletter", "Lo" }, { "Othernumber", "No" }, { "Otherpunctuation", "Po" },
	{ "Othersymbol", "So" }, { "Paragraphseparator", "Zp" }, { "Privateuse", "Co" },
	{ "Punctuation", "P" }, { "Separator", "Z" }, { "Spaceseparator", "Zs" },
	{ "Spacingmark", "Mc" }, { "Surrogate", "Cs" }, { "Symbol", "S" },
	{ "Titlecaseletter", "Lt" }, { "Unassigned", "Cn" }, { "Uppercaseletter", "Lu" },
	{ "Cntrl", "Cc" }, { "Digit", "Nd" }, { "Punct", "P" },
};

static const char *in_table(const char *const *tab, size_t n, const char *name)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(tab[k], name) == 0)
			return tab[k];
	return NULL;
}

/* \pL, \p{Greek}, \P{^Lu} at c->i, written out for PCRE2. */
static int re2_property(struct re2 *c, size_t start, bool inclass)
{
	const char *re = c->re, *pcre = NULL;
	size_t i = c->i + 2, name, nlen, k, n = 0;
	bool neg = re[c->i + 1] == 'P';
	char canon[48], out[64];

	if (i >= c->len)
		return re2_err(c, "invalid character class range", re + start, c->len - start);
	if (re[i] == '{') {
		const char *e = memchr(re + i, '}', c->len - i);

		if (!e)
			return re2_err(c, "invalid character class range", re + start, c->len - start);
		name = i + 1;
		if (name < c->len && re[name] == '^') {
			neg = !neg;
			name++;
		}
		nlen = (size_t)(e - re) - name;
		c->i = (size_t)(e - re) + 1;
	} else {
		name = i;
		nlen = gt_utf8_dec(re + i, c->len - i, &(unsigned){0});
		c->i = i + nlen;
	}
	for (k = 0; k < nlen && n + 1 < sizeof(canon); k++) {
		char ch = re[name + k];

		if (ch == '_' || ch == '-' || ch == ' ')
			continue;
		canon[n] = (char)(n == 0 ? toupper((unsigned char)ch) : tolower((unsigned char)ch));
		n++;
	}
	canon[n] = '\0';
	if (k < nlen || n == 0)
		goto bad;
	if (!strcmp(canon, "Any")) {
		pcre = "Any";
	} else if (!strcmp(canon, "Assigned")) {
		pcre = "Cn";
		neg = !neg;
	} else if (!strcmp(canon, "Ascii")) {
		if (inclass)
			sb_adds(&c->out, neg ? "\\x{80}-\\x{10ffff}" : "\\x00-\\x7f");
		else
			sb_adds(&c->out, neg ? "[^\\x00-\\x7f]" : "[\\x00-\\x7f]");
		return 0;
	} else if (!strcmp(canon, "Lc")) {
		pcre = "L&";
	} else if ((pcre = in_table(go_categories, sizeof(go_categories) / sizeof(go_categories[0]),
				    canon)) == NULL &&
		   (pcre = in_table(go_scripts, sizeof(go_scripts) / sizeof(go_scripts[0]),
				    canon)) == NULL) {
		for (k = 0; k < sizeof(go_aliases) / sizeof(go_aliases[0]); k++)
			if (!strcmp(go_aliases[k][0], canon))
				pcre = go_aliases[k][1];
		if (!pcre)
			goto bad;
	}
	snprintf(out, sizeof(out), "\\%c{%s}", neg ? 'P' : 'p', pcre);
	sb_adds(&c->out, out);
	return 0;
bad:
	return re2_err(c, "invalid character class range", re + start, c->i - start);
}

/* One escape at c->i (a backslash); inclass: inside [...].  *cls is set
 * when it was a class (\d, \pL ...), after which a '-' is a literal. */
static int re2_escape(struct re2 *c, bool inclass, bool *cls)
{
	const char *re = c->re;
	size_t start = c->i;
	char e;

	*cls = false;
	if (c->i + 1 >= c->len)
		return re2_err(c, "trailing backslash at end of expression", "", 0);
	e = re[c->i + 1];
	switch (e) {
	case 'd': case 'D': case 'w': case 'W':
		*cls = true;
		sb_add(&c->out, re + c->i, 2);
		c->i += 2;
		return 0;
	case 's':
		*cls = true;
		sb_adds(&c->out, inclass ? "\\t\\n\\f\\r " : "[\\t\\n\\f\\r ]");
		c->i += 2;
		return 0;
	case 'S':
		*cls = true;
		/* Inside a class there is no negation: the complement as ranges. */
		sb_adds(&c->out, inclass ? "\\x00-\\x08\\x0b\\x0e-\\x1f\\x21-\\x{10ffff}"
				: "[^\\t\\n\\f\\r ]");
		c->i += 2;
		return 0;
	case 'p': case 'P':
		*cls = true;
		return re2_property(c, start, inclass);
	case 'v':
		sb_adds(&c->out, "\\x0b");
		c->i += 2;
		return 0;
	case 'a': case 'f': case 't': case 'n': case 'r':
		sb_add(&c->out, re + c->i, 2);
		c->i += 2;
		return 0;
	case 'A': case 'z': case 'b': case 'B':
		if (inclass)
			break;
		sb_add(&c->out, re + c->i, 2);
		c->i += 2;
		return 0;
	case 'x': {
		size_t j = c->i + 2, nhex = 0;
		unsigned long v = 0;

		if (j < c->len && re[j] == '{') {
			for (j++; j < c->len && isxdigit((unsigned char)re[j]); j++, nhex++) {
				v = v * 16 + (unsigned long)(isdigit((unsigned char)re[j]) ? re[j] - '0' :
					     tolower((unsigned char)re[j]) - 'a' + 10);
				if (v > 0x10FFFF)
					break;
			}
			if (!nhex || j >= c->len || re[j] != '}' || v > 0x10FFFF)
				return re2_err(c, "invalid escape sequence", re + start,
					       (j < c->len ? j + 1 : c->len) - start);
			j++;
		} else {
			/* Exactly two digits; PCRE2 would take one. */
			if (j + 1 >= c->len || !isxdigit((unsigned char)re[j]) ||
			    !isxdigit((unsigned char)re[j + 1]))
				return re2_err(c, "invalid escape sequence", re + start,
					       (j + 2 <= c->len ? j + 2 : c->len) - start);
			j += 2;
		}
		sb_add(&c->out, re + start, j - start);
		c->i = j;
		return 0;
	}
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
		/* A lone \1-\7 would be a backreference: RE2 has none. */
		size_t j = c->i + 1, k;
		unsigned v = 0;
		char hex[16];

		if (e != '0' && (j + 1 >= c->len || !is_octal(re[j + 1])))
			return re2_err(c, "invalid escape sequence", re + start, 2);
		for (k = 0; k < 3 && j < c->len && is_octal(re[j]); k++, j++)
			v = v * 8 + (unsigned)(re[j] - '0');
		snprintf(hex, sizeof(hex), "\\x{%x}", v);
		sb_adds(&c->out, hex);
		c->i = j;
		return 0;
	}
	default:
		/* Escaped ASCII punctuation (and space, controls) is literal in
		 * both; letters, digits and non-ASCII Go does not know. */
		if ((unsigned char)e < 0x80 && !isalnum((unsigned char)e)) {
			sb_add(&c->out, re + c->i, 2);
			c->i += 2;
			return 0;
		}
		break;
	}
	{
		size_t l = gt_utf8_dec(re + c->i + 1, c->len - c->i - 1, &(unsigned){0});

		return re2_err(c, "invalid escape sequence", re + start, 1 + l);
	}
}

/* [...] from c->i; copies it, with the escapes rewritten. */
static int re2_class(struct re2 *c)
{
	const char *re = c->re;
	size_t start = c->i;
	bool first = true, cls;

	sb_addc(&c->out, '[');
	c->i++;
	if (c->i < c->len && re[c->i] == '^') {
		sb_addc(&c->out, '^');
		c->i++;
	}
	while (c->i < c->len && (re[c->i] != ']' || first)) {
		char ch = re[c->i];

		first = false;
		cls = false;
		if (ch == '\\') {
			if (re2_escape(c, true, &cls) < 0)
				return -1;
		} else if (ch == '[' && c->i + 1 < c->len && re[c->i + 1] == ':' &&
			   memmem(re + c->i + 2, c->len - c->i - 2, ":]", 2)) {
			/* [:alpha:], the same names and meanings in both (ASCII). */
			const char *e = memmem(re + c->i + 2, c->len - c->i - 2, ":]", 2);
			size_t end = (size_t)(e - re) + 2;

			sb_add(&c->out, re + c->i, end - c->i);
			c->i = end;
			cls = true;
		} else if (ch == '[') {
			/* Go: a literal '['; PCRE2 would read [. .] and [= =]. */
			sb_adds(&c->out, "\\[");
			c->i++;
		} else {
			size_t l = gt_utf8_dec(re + c->i, c->len - c->i, &(unsigned){0});

			sb_add(&c->out, re + c->i, l ? l : 1);
			c->i += l ? l : 1;
		}
		/* Go reads a '-' after a class (\d-z, [:alpha:]-z) as a literal;
		 * PCRE2 would refuse the range or, after \s rewritten, make one. */
		if (cls && c->i + 1 < c->len && re[c->i] == '-' && re[c->i + 1] != ']') {
			sb_adds(&c->out, "\\-");
			c->i++;
		}
	}
	if (c->i >= c->len)
		return re2_err(c, "missing closing ]", re + start, c->len - start);
	sb_addc(&c->out, ']');
	c->i++;
	return 0;
}

/* (? at c->i: named groups, (?:, and the flags i m s U; nothing else. */
static int re2_group(struct re2 *c)
{
	const char *re = c->re;
	size_t start = c->i, j = c->i + 2, k;
	bool neg = false, flag = false;

	/* Go (1.22 and later) reads any "(?<" as a name, so a lookbehind
	 * "(?<=" is an invalid named capture there, not a Perl op. */
	if (j < c->len && (re[j] == '<' || (re[j] == 'P' && j + 1 < c->len && re[j + 1] == '<'))) {
		const char *e;
		size_t name;

		name = j + (re[j] == 'P' ? 2 : 1);
		e = memchr(re + name, '>', c->len - name);
		if (!e)
			return re2_err(c, "invalid named capture", re + start, c->len - start);
		if ((size_t)(e - re) == name)
			return re2_err(c, "invalid named capture", re + start, (size_t)(e - re) + 1 - start);
		for (k = name; k < (size_t)(e - re); k++)
			if (!isalnum((unsigned char)re[k]) && re[k] != '_')
				return re2_err(c, "invalid named capture", re + start,
					       (size_t)(e - re) + 1 - start);
		sb_add(&c->out, re + start, (size_t)(e - re) + 1 - start);
		c->i = (size_t)(e - re) + 1;
		return 0;
	}
	for (; j < c->len; j++) {
		char ch = re[j];

		if (ch == 'i' || ch == 'm' || ch == 's' || ch == 'U') {
			flag = true;
			continue;
		}
		if (ch == '-' && !neg) {
			neg = true;
			flag = false;
			continue;
		}
		if ((ch == ':' || ch == ')') && (!neg || flag)) {
			sb_add(&c->out, re + start, j + 1 - start);
			c->i = j + 1;
			return ch == ':' ? 0 : 1;
		}
		break;
	}
	if (j >= c->len)
		return re2_err(c, "missing closing )", re, c->len);
	return re2_err(c, "invalid or unsupported Perl syntax", re + start,
		       j + 1 - start);
}

/* {n}, {n,}, {n,m} at c->i: its length, or 0 when it is a literal '{'. */
static size_t repeat_len(const struct re2 *c, long *min, long *max)
{
	const char *re = c->re;
	size_t j = c->i + 1, d;

	*min = 0;
	*max = -1;
	for (d = j; j < c->len && isdigit((unsigned char)re[j]); j++)
		if (*min <= RE2_MAX_REPEAT)
			*min = *min * 10 + (re[j] - '0');
	if (j == d || j >= c->len)
		return 0;
	if (re[j] == '}') {
		*max = *min;
		return j + 1 - c->i;
	}
	if (re[j++] != ',' || j >= c->len)
		return 0;
	if (re[j] == '}')
		return j + 1 - c->i;
	*max = 0;
	for (d = j; j < c->len && isdigit((unsigned char)re[j]); j++)
		if (*max <= RE2_MAX_REPEAT)
			*max = *max * 10 + (re[j] - '0');
	if (j == d || j >= c->len || re[j] != '}')
		return 0;
	return j + 1 - c->i;
}

/* Put out[from...] in a (?:...) group: Go repeats an assertion (^*, \b+),
 * PCRE2 only a group. */
static void wrap_group(struct sb *s, size_t from)
{
	size_t n = s->b.len - from;

	sb_adds(s, "(?:");
	if (s->over)
		return;
	memmove(s->b.data + from + 3, s->b.data + from, n);
	memcpy(s->b.data + from, "(?:", 3);
	sb_addc(s, ')');
}

/* Check re as Go's parser would and build the PCRE2 pattern in c->out. */
static int re2_check(struct re2 *c)
{
	const char *re = c->re;
	bool atom = false;	/* something a quantifier may follow */
	bool assertion = false;	/* ... and it is ^ $ \A \z \b \B */
	size_t atom_out = 0;	/* where it starts in c->out */
	size_t lastq = 0;	/* start of the quantifier just read, +1 */

	while (c->i < c->len) {
		char ch = re[c->i];
		size_t qstart = c->i, qlen = 0;
		long min = 0, max = -1;
		bool cls;
		int rc;

		if (ch == '*' || ch == '+' || ch == '?')
			qlen = 1;
		else if (ch == '{')
			qlen = repeat_len(c, &min, &max);
		if (qlen) {
			size_t end = qstart + qlen;

			if (lastq)
				return re2_err(c, "invalid nested repetition operator", re + lastq - 1,
					       end - (lastq - 1));
			if (!atom)
				return re2_err(c, "missing argument to repetition operator", re + qstart, qlen);
			if (ch == '{' && (min > RE2_MAX_REPEAT || max > RE2_MAX_REPEAT ||
					  (max >= 0 && min > max)))
				return re2_err(c, "invalid repeat count", re + qstart, qlen);
			if (end < c->len && re[end] == '?')
				end++;	/* non-greedy */
			if (assertion)
				wrap_group(&c->out, atom_out);
			sb_add(&c->out, re + qstart, end - qstart);
			c->i = end;
			lastq = qstart + 1;
			continue;
		}
		lastq = 0;
		atom_out = c->out.b.len;
		assertion = ch == '^' || ch == '$' || (ch == '\\' && c->i + 1 < c->len &&
							re[c->i + 1] && strchr("AzbB", re[c->i + 1]));
		switch (ch) {
		case '\\':
			if (c->i + 1 < c->len && re[c->i + 1] == 'Q') {
				/* \Q...\E: literal text, the same in PCRE2. */
				const char *e = memmem(re + c->i + 2, c->len - c->i - 2, "\\E", 2);
				size_t end = e ? (size_t)(e - re) + 2 : c->len;

				sb_add(&c->out, re + c->i, end - c->i);
				if (!e)
					sb_adds(&c->out, "\\E");
				atom = end - c->i > (e ? 4u : 2u) || atom;
				c->i = end;
				break;
			}
			if (re2_escape(c, false, &cls) < 0)
				return -1;
			atom = true;
			break;
		case '[':
			if (re2_class(c) < 0)
				return -1;
			atom = true;
			break;
		case '(':
			if (c->i + 1 < c->len && re[c->i + 1] == '?') {
				rc = re2_group(c);
				if (rc < 0)
					return -1;
				atom = rc == 1 && atom;	/* (?i) sets flags only */
				if (rc == 0)
					atom = false;
				break;
			}
			sb_addc(&c->out, '(');
			c->i++;
			atom = false;
			break;
		case '|':
			sb_addc(&c->out, '|');
			c->i++;
			atom = false;
			break;
		default: {
			size_t l = gt_utf8_dec(re + c->i, c->len - c->i, &(unsigned){0});

			if (!l)
				l = 1;
			sb_add(&c->out, re + c->i, l);
			c->i += l;
			atom = true;
			break;
		}
		}
	}
	if (c->out.over)
		return re2_err(c, "expression too large", re, c->len);
	return 0;
}

/* A PCRE2 compile error in Go's words where they say the same thing. */
static void pcre_err(struct re2 *c, int code)
{
	const char *go = NULL;
	PCRE2_UCHAR msg[160];

	switch (code) {
	case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS: go = "missing closing )"; break;
	case PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP: go = "expression nests too deeply"; break;
	case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS: go = "unexpected )"; break;
	case PCRE2_ERROR_MISSING_SQUARE_BRACKET: go = "missing closing ]"; break;
	case PCRE2_ERROR_QUANTIFIER_OUT_OF_ORDER:
	case PCRE2_ERROR_QUANTIFIER_TOO_BIG: go = "invalid repeat count"; break;
	case PCRE2_ERROR_QUANTIFIER_INVALID: go = "missing argument to repetition operator"; break;
	case PCRE2_ERROR_UNKNOWN_POSIX_CLASS:
	case PCRE2_ERROR_UNKNOWN_UNICODE_PROPERTY:
	case PCRE2_ERROR_MALFORMED_UNICODE_PROPERTY:
	case PCRE2_ERROR_CLASS_INVALID_RANGE:
	case 108:	/* range out of order in character class */
		go = "invalid character class range"; break;
	case PCRE2_ERROR_DUPLICATE_SUBPATTERN_NAME:
	case PCRE2_ERROR_SUBPATTERN_NAME_EXPECTED:
	case PCRE2_ERROR_SUBPATTERN_NAME_TOO_LONG:
	case 144:	/* subpattern name must start with a non-digit */
		go = "invalid named capture"; break;
	}
	if (!go && code <= PCRE2_ERROR_UTF8_ERR1 && code >= PCRE2_ERROR_UTF8_ERR21)
		go = "invalid UTF-8";
	if (go) {
		re2_err(c, go, c->re, c->len);
		return;
	}
	if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", code);
	re2_err(c, (const char *)msg, c->re, c->len);
}

static pcre2_code *re2_compile(struct re2 *c, const char *re, size_t len)
{
	pcre2_compile_context *cc;
	pcre2_code *code = NULL;
	PCRE2_SIZE off;
	int ec;

	memset(c, 0, sizeof(*c));
	c->re = re;
	c->len = len;
	sb_init(&c->out);
	if (re2_check(c) < 0)
		goto out;
	cc = pcre2_compile_context_create(NULL);
	if (!cc) {
		snprintf(c->msg, sizeof(c->msg), "out of memory");
		goto out;
	}
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	pcre2_set_parens_nest_limit(cc, 1000);	/* Go's maxHeight; PCRE2's is 250 */
	code = pcre2_compile((PCRE2_SPTR)(c->out.b.data ? c->out.b.data : ""), c->out.b.len,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_UCP |
			     PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C, &ec, &off, cc);
	pcre2_compile_context_free(cc);
	if (!code)
		pcre_err(c, ec);
out:
	buf_release(&c->out.b);
	return code;
}

/* unicode.IsLetter || unicode.IsDigit for a rune, via PCRE2's tables
 * (compiled only when a replacement has a non-ASCII name character). */
static bool letter_or_digit(pcre2_code **cls, const char *s, size_t n)
{
	pcre2_match_data *md;
	int rc;

	if (!*cls) {
		int ec;
		PCRE2_SIZE off;

		*cls = pcre2_compile((PCRE2_SPTR) "[\\p{L}\\p{Nd}]", PCRE2_ZERO_TERMINATED,
				     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED, &ec, &off, NULL);
		if (!*cls)
			return false;
	}
	md = pcre2_match_data_create(1, NULL);
	if (!md)
		return false;
	rc = pcre2_match(*cls, (PCRE2_SPTR)s, n, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc > 0;
}

/* Go's Regexp.ExpandString: $$, and $name or ${name} where name is letters,
 * digits and '_' (taken as long as possible); a number without a leading
 * zero is a group index, anything else a group name; what does not exist
 * or did not match expands to "", a malformed reference is a literal $. */
static void expand(struct sb *s, const pcre2_code *code, const struct val *repl,
		   const char *src, const PCRE2_SIZE *ov, uint32_t ngroups, pcre2_code **cls)
{
	const char *t = repl->s;
	size_t n = repl->len, i = 0;

	while (i < n) {
		size_t st, j;
		bool brace;
		long num = 0;

		if (t[i] != '$') {
			const char *d = memchr(t + i, '$', n - i);
			size_t k = d ? (size_t)(d - t) : n;

			sb_add(s, t + i, k - i);
			i = k;
			continue;
		}
		if (i + 1 < n && t[i + 1] == '$') {
			sb_addc(s, '$');
			i += 2;
			continue;
		}
		brace = i + 1 < n && t[i + 1] == '{';
		st = j = i + 1 + brace;
		while (j < n) {
			unsigned r;
			size_t l = gt_utf8_dec(t + j, n - j, &r);

			if (r < 0x80 ? !(isalnum((int)r) || r == '_') :
			    (r == 0xFFFD && l == 1) || !letter_or_digit(cls, t + j, l))
				break;
			j += l;
		}
		if (j == st || (brace && (j >= n || t[j] != '}'))) {
			sb_addc(s, '$');	/* malformed: literal */
			i++;
			continue;
		}
		i = j + brace;
		for (size_t k = st; k < j; k++) {
			if (!isdigit((unsigned char)t[k]) || num >= 100000000) {
				num = -1;
				break;
			}
			num = num * 10 + (t[k] - '0');
		}
		if (t[st] == '0' && j - st > 1)
			num = -1;
		if (num < 0) {
			/* The first group of that name that took part in the match. */
			char name[64];
			int g;

			if (j - st >= sizeof(name))
				continue;
			memcpy(name, t + st, j - st);
			name[j - st] = '\0';
			g = pcre2_substring_number_from_name(code, (PCRE2_SPTR)name);
			if (g <= 0)
				continue;
			num = g;
		}
		if ((uint32_t)num < ngroups && ov[2 * num] != PCRE2_UNSET)
			sb_add(s, src + ov[2 * num], ov[2 * num + 1] - ov[2 * num]);
	}
}

int gt_regex_replace_all(struct tp *p, size_t at, const char *what, const struct val *re,
			 const struct val *src, const struct val *repl, struct val *r)
{
	pcre2_code *code, *cls = NULL;
	pcre2_match_data *md;
	struct re2 c;
	struct sb s;
	size_t search = 0, last = 0;
	uint32_t ngroups;
	int rc = 0;

	code = re2_compile(&c, re->s, re->len);
	if (!code)
		return gt_fail(p, at, "error calling %s: %s", what, c.msg);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!md) {
		pcre2_code_free(code);
		return gt_fail(p, at, "out of memory");
	}
	ngroups = pcre2_get_ovector_count(md);
	sb_init(&s);
	/* Go's ReplaceAllString walk: an empty match right after a previous
	 * match is not replaced, and the search always advances by at least
	 * one rune. */
	while (search <= src->len) {
		const PCRE2_SIZE *ov;
		size_t width;
		unsigned ch;

		rc = pcre2_match(code, (PCRE2_SPTR)src->s, src->len, search, 0, md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH) {
			rc = 0;
			break;
		}
		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		sb_add(&s, src->s + last, ov[0] - last);
		if (ov[1] > last || ov[0] == 0)
			expand(&s, code, repl, src->s, ov, ngroups, &cls);
		last = ov[1];
		width = gt_utf8_dec(src->s + search, src->len - search, &ch);
		if (search + width > ov[1])
			search += width;
		else if (search + 1 > ov[1])
			search++;
		else
			search = ov[1];
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	pcre2_code_free(cls);
	if (rc < 0) {
		/* Go's matcher is linear and never gives up; PCRE2 backtracks and
		 * stops at its match limit. */
		PCRE2_UCHAR msg[160];

		buf_release(&s.b);
		if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", rc);
		return gt_fail(p, at, "error calling %s: matching regexp `%s`: %s", what, re->s,
			       (const char *)msg);
	}
	if (last < src->len)
		sb_add(&s, src->s + last, src->len - last);
	return gt_val_from_sb(p, at, what, &s, r);
}
