#include "preflight.h"

#include <string.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "wait.h"

/* 1 healthy, 0 not (why explains), -1 API error. */
static int check_once(struct kube_client *kc, const char *ns, struct buf *why, struct mtv_err *err)
{
	cJSON *pods = NULL;
	const cJSON *pod;
	int controller = 0, bad = 0;

	if (kube_list(kc, &KUBE_PODS, ns, NULL, &pods, NULL, err) < 0)
		return -1;
	buf_reset(why);
	cJSON_ArrayForEach(pod, pods) {
		const char *name = json_str(pod, "metadata.name", "");
		const char *phase = json_str(pod, "status.phase", "Unknown");

		if (strncmp(name, "forklift-", 9))
			continue;
		if (!strncmp(name, "forklift-controller", 19))
			controller = 1;
		if (strcmp(phase, "Running") && strcmp(phase, "Succeeded")) {
			buf_addf(why, "%spod %s is %s", bad++ ? ", " : "", name, phase);
		}
	}
	cJSON_Delete(pods);
	if (!controller)
		buf_addf(why, "%sno forklift-controller pod in namespace %s", bad++ ? ", " : "", ns);
	return bad == 0;
}

int preflight_forklift(struct kube_client *kc, const char *mtv_namespace, long timeout_ms,
		       struct mtv_err *err)
{
	struct buf why = BUF_INIT(8192);
	long waited = 0;
	int r;

	for (;;) {
		r = check_once(kc, mtv_namespace, &why, err);
		if (r != 0)
			break;
		if (waited >= timeout_ms) {
			mtv_err_set(err, MTV_EXIT_ENV, "MTV is not healthy in namespace %s after %lds: %s",
				    mtv_namespace, timeout_ms / 1000, buf_str(&why));
			r = -1;
			break;
		}
		if (waited == 0)
			log_info("waiting for MTV to be healthy: %s", buf_str(&why));
		if (wait_sleep_ms(1000, kc->http.interrupt, err) < 0) {
			r = -1;
			break;
		}
		waited += 1000;
	}
	buf_release(&why);
	return r < 0 ? -1 : 0;
}
