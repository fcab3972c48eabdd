/* /sim/stats: request counts by verb and resource, creates per object,
 * and when each Plan reached its final condition (recorded by the
 * controller).  /sim/objects: every stored object matching a label
 * selector, for leak checks that must not meet injected faults. */
#include <stdio.h>
#include <string.h>

#include "sim.h"

void stats_count(struct sim *sim, const char *verb, const char *resource)
{
	cJSON *req, *v, *n, *tot;

	/* readers of the store count too: sim->aux, not the store lock */
	pthread_mutex_lock(&sim->aux);
	req = cJSON_GetObjectItemCaseSensitive(sim->stats, "requests");
	v = cJSON_GetObjectItemCaseSensitive(req, verb);
	tot = cJSON_GetObjectItemCaseSensitive(sim->stats, "total");
	if (!v)
		v = cJSON_AddObjectToObject(req, verb);
	n = cJSON_GetObjectItemCaseSensitive(v, resource);
	if (!n)
		cJSON_AddNumberToObject(v, resource, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	cJSON_SetNumberValue(tot, tot->valuedouble + 1);
	pthread_mutex_unlock(&sim->aux);
}

void stats_created(struct sim *sim, const char *plural, const char *ns, const char *name, const char *generate_name)
{
	cJSON *creates = cJSON_GetObjectItemCaseSensitive(sim->stats, "creates"), *n;
	char key[1024];

	if (!creates)
		creates = cJSON_AddObjectToObject(sim->stats, "creates");
	/* Objects named by the server are counted by their generateName: two
	 * Migrations "mtv-plan-x-" for one Plan are the duplicate a retried
	 * POST whose answer was lost would make. */
	if (generate_name)
		snprintf(key, sizeof(key), "%s/%s/%s*", plural, ns ? ns : "", generate_name);
	else
		snprintf(key, sizeof(key), "%s/%s/%s", plural, ns ? ns : "", name);
	n = cJSON_GetObjectItemCaseSensitive(creates, key);
	if (!n)
		cJSON_AddNumberToObject(creates, key, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
}

void stats_handle(struct sim *sim, struct request *r, struct response *resp)
{
	cJSON *s;

	(void)r;
	pthread_mutex_lock(&sim->aux);
	s = cJSON_Duplicate(sim->stats, 1);
	pthread_mutex_unlock(&sim->aux);
	cJSON_AddNumberToObject(s, "simulatedSeconds", sim_now(sim));
	cJSON_AddNumberToObject(s, "speed", sim->speed);
	cJSON_AddNumberToObject(s, "objects", (double)sim->store.n);
	cJSON_AddNumberToObject(s, "resourceVersion", (double)sim->store.rv);
	resp_json(resp, 200, s);
}

/* GET /sim/objects?labelSelector=S: ["plural/namespace/name", ...] of every
 * object in the store the selector matches (all of them without one),
 * whatever its type: what a run left behind, in one fault-free read. */
void stats_objects(struct sim *sim, struct request *r, struct response *resp)
{
	const char *text = req_query(r, "labelSelector");
	struct selector *sel = NULL;
	char msg[256], key[1024];
	cJSON *out;

	if (text && selector_parse_labels(text, &sel, msg, sizeof(msg)) < 0) {
		resp_status(resp, 400, "BadRequest", msg, NULL, NULL, NULL);
		return;
	}
	out = cJSON_CreateArray();
	for (size_t i = 0; i < sim->store.n; i++) {
		const struct sobj *so = sim->store.objs[i];

		if (sel && !selector_match_labels(sel, so->o))
			continue;
		snprintf(key, sizeof(key), "%s/%s/%s", so->rt->plural, so->ns, so->name);
		cJSON_AddItemToArray(out, cJSON_CreateString(key));
	}
	selector_free(sel);
	resp_json(resp, 200, out);
}
