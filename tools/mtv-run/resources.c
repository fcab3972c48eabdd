#include "resources.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* apimachinery's resource.ParseQuantity error for a malformed quantity. */
#define QTY_FORMAT "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

enum qty {
	QTY_BAD,
	QTY_ZERO,
	QTY_NEG,
	QTY_POS,
};

/* The sign and zeroness of a Kubernetes quantity: [+-]number suffix, where
 * suffix is a binary (Ki..Ei), decimal (n u m "" k M G T P E) or exponent
 * (e/E[+-]digits) one.  *value is the amount in base units, as a double:
 * exact enough for the one comparison validation makes (shm <= 2G). */
static enum qty parse_quantity(const char *s, double *value)
{
	static const char *const suffixes[] = {
		"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E", NULL,
	};
	static const double scale[] = {
		1, 1024.0, 1048576.0, 1073741824.0, 1099511627776.0, 1125899906842624.0,
		1152921504606846976.0, 1e-9, 1e-6, 1e-3, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18,
	};
	bool neg = false, nonzero = false, digits = false, dot = false;
	const char *p = s;
	char *end;

	*value = strtod(s, &end);

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (*p == '.') {
			if (dot)
				return QTY_BAD;
			dot = true;
			continue;
		}
		digits = true;
		if (*p != '0')
			nonzero = true;
	}
	if (!digits)
		return QTY_BAD;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;

		if (*q == '+' || *q == '-')
			q++;
		if (isdigit((unsigned char)*q)) {
			while (isdigit((unsigned char)*q))
				q++;
			if (!*q)
				goto ok;	/* strtod read the exponent too */
		}
	}
	for (size_t i = 0; suffixes[i]; i++)
		if (!strcmp(p, suffixes[i])) {
			*value = strtod(s, NULL) * scale[i];
			goto ok;
		}
	return QTY_BAD;
ok:
	if (!nonzero)
		return QTY_ZERO;
	return neg ? QTY_NEG : QTY_POS;
}

static bool is_quantity_key(const char *k)
{
	static const char *const keys[] = {
		"cpu", "memory", "ephemeral-storage", "ci-operator.openshift.io/shm", "nvidia.com/gpu", NULL,
	};

	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* Returns the number of entries in the list. */
static size_t validate_list(const struct ynode *l, const char *root, const char *which,
			    struct errlist *e)
{
	if (!l || l->is_null)
		return 0;
	if (l->type != Y_MAP) {
		errlist_add(e, "'%s.%s' must be a map of resource names to quantities", root, which);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		const char *k = l->keys[i]->value;
		const char *v = l->vals[i]->type == Y_SCALAR ? l->vals[i]->value : "";

		if (is_quantity_key(k)) {
			double value;
			enum qty q = parse_quantity(v, &value);

			/* the shared memory volume is capped (api.ShmResource) */
			if (q != QTY_BAD && !strcmp(k, "ci-operator.openshift.io/shm") && value > 2e9)
				errlist_add(e, "%s.%s.%s: quantity cannot be greater than 2G", root, which, k);
			switch (q) {
			case QTY_BAD:
				errlist_add(e, "%s.%s.%s: invalid quantity: %s", root, which, k, QTY_FORMAT);
				break;
			case QTY_ZERO:
				errlist_add(e, "%s.%s.%s: quantity cannot be zero", root, which, k);
				break;
			case QTY_NEG:
				errlist_add(e, "%s.%s.%s: quantity cannot be negative", root, which, k);
				break;
			case QTY_POS:
				break;
			}
		} else if (!strcmp(k, "devices.kubevirt.io/kvm")) {
			if (strcmp(v, "1"))
				errlist_add(e, "%s.%s.%s: must be 1", root, which, k);
		} else {
			errlist_add(e, "'%s.%s' specifies an invalid key %s", root, which, k);
		}
	}
	return l->n;
}

void resources_validate(const struct ynode *res, const char *field, struct errlist *e)
{
	char root[512];
	size_t n = 0;

	snprintf(root, sizeof(root), "%s.resources", field ? field : "");
	if (res && res->type == Y_MAP) {
		/* ci-tools checks limits before requests */
		n += validate_list(ymap_get(res, "limits"), root, "limits", e);
		n += validate_list(ymap_get(res, "requests"), root, "requests", e);
	}
	if (!n)
		errlist_add(e, "'%s' should have at least one request or limit", root);
}
