/* /sim/stats: request counts by verb and resource, and when each Plan
 * reached its final condition (recorded by the controller). */
#include "sim.h"

void stats_count(struct sim *sim, const char *verb, const char *resource)
{
	cJSON *req = cJSON_GetObjectItemCaseSensitive(sim->stats, "requests");
	cJSON *v = cJSON_GetObjectItemCaseSensitive(req, verb), *n;
	cJSON *tot = cJSON_GetObjectItemCaseSensitive(sim->stats, "total");

	if (!v)
		v = cJSON_AddObjectToObject(req, verb);
	n = cJSON_GetObjectItemCaseSensitive(v, resource);
	if (!n)
		cJSON_AddNumberToObject(v, resource, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	cJSON_SetNumberValue(tot, tot->valuedouble + 1);
}

void stats_handle(struct sim *sim, struct request *r, struct response *resp)
{
	cJSON *s = cJSON_Duplicate(sim->stats, 1);

	(void)r;
	cJSON_AddNumberToObject(s, "simulatedSeconds", sim_now(sim));
	cJSON_AddNumberToObject(s, "speed", sim->speed);
	cJSON_AddNumberToObject(s, "objects", (double)sim->store.n);
	cJSON_AddNumberToObject(s, "resourceVersion", (double)sim->store.rv);
	resp_json(resp, 200, s);
}
