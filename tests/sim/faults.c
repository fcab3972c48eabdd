/* --faults parsing (the injection itself happens in server.c and watch.c).
 *
 * --faults is a comma list of key=value:
 *   500=R 503=R 429=R drop=R   rates in [0,1] of injected responses
 *   latency=MS                 added to every API request
 *   watchcut=N                 end watch streams after N events
 * The random draws come from --seed, so a failing run can be replayed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"

int faults_parse(const char *spec, struct faults *f, struct mtv_err *err)
{
	const char *p = spec;

	memset(f, 0, sizeof(*f));
	while (p && *p) {
		char item[128], *eq, *end;
		size_t len = strcspn(p, ",");
		double v;

		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		p += len;
		if (*p == ',')
			p++;
		eq = strchr(item, '=');
		if (!eq)
			return mtv_err_set(err, MTV_EXIT_USAGE, "--faults: \"%s\" is not key=value", item);
		*eq = '\0';
		v = strtod(eq + 1, &end);
		if (*end || eq[1] == '\0' || v < 0)
			return mtv_err_set(err, MTV_EXIT_USAGE, "--faults: %s: \"%s\" is not a number >= 0", item, eq + 1);
		if (!strcmp(item, "500"))
			f->rate500 = v;
		else if (!strcmp(item, "503"))
			f->rate503 = v;
		else if (!strcmp(item, "429"))
			f->rate429 = v;
		else if (!strcmp(item, "drop"))
			f->rate_drop = v;
		else if (!strcmp(item, "latency"))
			f->latency_ms = (int)v;
		else if (!strcmp(item, "watchcut"))
			f->watch_cut = (int)v;
		else
			return mtv_err_set(err, MTV_EXIT_USAGE,
					   "--faults: unknown key \"%s\" (known: 500, 503, 429, drop, latency, watchcut)", item);
		if ((!strcmp(item, "500") || !strcmp(item, "503") || !strcmp(item, "429") || !strcmp(item, "drop")) && v > 1)
			return mtv_err_set(err, MTV_EXIT_USAGE, "--faults: %s=%s: a rate must be between 0 and 1", item, eq + 1);
	}
	if (f->rate500 + f->rate503 + f->rate429 > 1)
		return mtv_err_set(err, MTV_EXIT_USAGE, "--faults: the 500, 503 and 429 rates add up to more than 1");
	return 0;
}
