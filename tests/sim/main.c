/* mtv-sim: a simulated OpenShift cluster running MTV, for tests and demos.
 * See tests/sim/README.md for the flags, the world format and the
 * state-dir contract. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>
#include <microhttpd.h>
#include "sim.h"
#include "base64.h"
#include "log.h"

struct sim *g_sim;

double sim_now(struct sim *sim)
{
	struct timespec now;
	double real;

	clock_gettime(CLOCK_MONOTONIC, &now);
	real = (double)(now.tv_sec - sim->start.tv_sec) + (double)(now.tv_nsec - sim->start.tv_nsec) / 1e9;
	return (sim->speed > 0 ? real * sim->speed : real) + sim->sim_offset;
}

unsigned int sim_rand(struct sim *sim)
{
	/* xorshift32: deterministic from --seed */
	unsigned int x = sim->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	sim->rng = x;
	return x;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mtv-sim --world FILE --state-dir DIR [--port N] [--speed N] [--faults SPEC]\n"
		"               [--seed N] [--crd-dir DIR]\n"
		"       mtv-sim json EXPR... < file.json   (print the values EXPR selects)\n"
		"\n"
		"  --world FILE     world description (default tests/fixtures/worlds/default.json)\n"
		"  --state-dir DIR  where kubeconfig, kubeconfig-cert, port, pid, ca.crt, providers.json,\n"
		"                   requests.log go\n"
		"  --port N         listen on 127.0.0.1:N (default 0: any free port)\n"
		"  --speed N        simulated seconds per real second (default 1; 0: no delays)\n"
		"  --faults SPEC    500=R,503=R,429=R,drop=R,latency=MS,watchcut=N\n"
		"  --seed N         seed for generated names and faults (default 1)\n"
		"  --crd-dir DIR    validate Forklift objects against the CRDs in DIR\n");
}

static int write_file(const char *dir, const char *name, const char *content, mode_t mode, struct mtv_err *err)
{
	char tmp[4096], path[4096];
	int fd;
	size_t len = strlen(content);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", tmp, strerror(errno));
	if (write(fd, content, len) != (ssize_t)len || close(fd)) {
		unlink(tmp);
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: write failed", tmp);
	}
	if (rename(tmp, path))
		return mtv_err_set(err, MTV_EXIT_ENV, "%s: %s", path, strerror(errno));
	return 0;
}

static char *b64_of(const char *s)
{
	struct buf b = BUF_INIT(1u << 30);

	if (base64_encode(&b, s, strlen(s)) < 0)
		abort();
	return buf_take(&b);
}

/* A kubeconfig for the sim's cluster: context and user `who`, the
 * context's further lines and the user's credentials as given. */
static int write_kubeconfig(struct sim *sim, const char *file, const char *who,
			    const char *context_more, const char *user, struct mtv_err *err)
{
	struct buf b = BUF_INIT(1u << 20);
	char *ca64 = b64_of(sim->ca_pem);
	int rc;

	buf_addf(&b,
		 "apiVersion: v1\n"
		 "kind: Config\n"
		 "clusters:\n"
		 "- name: mtv-sim\n"
		 "  cluster:\n"
		 "    server: https://127.0.0.1:%d\n"
		 "    certificate-authority-data: %s\n"
		 "contexts:\n"
		 "- name: %s\n"
		 "  context:\n"
		 "    cluster: mtv-sim\n"
		 "    user: %s\n"
		 "%s"
		 "current-context: %s\n"
		 "users:\n"
		 "- name: %s\n"
		 "  user:\n"
		 "%s",
		 sim->port, ca64, who, who, context_more, who, who, user);
	free(ca64);
	rc = write_file(sim->state_dir, file, buf_str(&b), 0600, err);
	buf_release(&b);
	return rc;
}

/* kubeconfig-cert: the same cluster with a client certificate and no token,
 * like the OpenShift installer's auth/kubeconfig (system:admin). */
static int write_cert_kubeconfig(struct sim *sim, struct mtv_err *err)
{
	struct buf user = BUF_INIT(1u << 20);
	char *crt64 = b64_of(sim->client_cert_pem), *key64 = b64_of(sim->client_key_pem);
	int rc;

	buf_addf(&user, "    client-certificate-data: %s\n    client-key-data: %s\n", crt64, key64);
	free(crt64);
	free(key64);
	rc = write_kubeconfig(sim, "kubeconfig-cert", "admin", "", buf_str(&user), err);
	buf_release(&user);
	return rc;
}

static int write_state(struct sim *sim, struct mtv_err *err)
{
	struct buf user = BUF_INIT(1u << 20);
	char path[4096];
	int rc;

	buf_addf(&user, "    token: %s\n", sim->token);
	rc = write_kubeconfig(sim, "kubeconfig", "mtv-sim", "    namespace: default\n", buf_str(&user),
			      err);
	buf_release(&user);
	if (rc)
		return -1;
	if (write_file(sim->state_dir, "ca.crt", sim->ca_pem, 0644, err))
		return -1;
	if (write_cert_kubeconfig(sim, err))
		return -1;
	if (write_file(sim->state_dir, "token", sim->token, 0600, err))
		return -1;
	/* as the OpenShift installer leaves auth/kubeadmin-password */
	if (write_file(sim->state_dir, "kubeadmin-password",
		       json_str(sim->world, "cluster.password", SIM_DEFAULT_PASSWORD), 0600, err))
		return -1;
	snprintf(path, sizeof(path), "%s/providers.json", sim->state_dir);
	if (world_write_providers_json(sim, path, err))
		return -1;
	{
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%ld\n", (long)getpid());
		if (write_file(sim->state_dir, "pid", tmp, 0644, err))
			return -1;
		/* port last: its presence means the sim is ready */
		snprintf(tmp, sizeof(tmp), "%d\n", sim->port);
		if (write_file(sim->state_dir, "port", tmp, 0644, err))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "world", required_argument, NULL, 'w' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "speed", required_argument, NULL, 'S' },
		{ "faults", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'r' },
		{ "crd-dir", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sim sim;
	struct mtv_err err;
	const char *world = NULL, *crd_dir = NULL, *faults = NULL;
	char world_default[4096];
	int port = 0, opt, sig;
	sigset_t set;
	struct MHD_Daemon *d;
	pthread_t ctl;
	unsigned char rnd[32];
	char *end;

	if (argc > 1 && !strcmp(argv[1], "json"))
		return jsonq_main(argc - 2, argv + 2);
	mtv_err_clear(&err);
	if (log_init("mtv-sim", &err))
		fprintf(stderr, "mtv-sim: %s\n", err.msg);
	sim.speed = 1;
	sim.seed = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			world = optarg;
			break;
		case 's':
			sim.state_dir = optarg;
			break;
		case 'p':
			port = (int)strtol(optarg, &end, 10);
			if (*end || port < 0 || port > 65535) {
				log_error("--port: \"%s\" is not a port number", optarg);
				return MTV_EXIT_USAGE;
			}
			break;
		case 'S':
			sim.speed = strtod(optarg, &end);
			if (*end || sim.speed < 0) {
				log_error("--speed: \"%s\" is not a number >= 0", optarg);
				return MTV_EXIT_USAGE;
			}
			break;
		case 'f':
			faults = optarg;
			break;
		case 'r':
			sim.seed = (unsigned int)strtoul(optarg, &end, 10);
			if (*end) {
				log_error("--seed: \"%s\" is not a number", optarg);
				return MTV_EXIT_USAGE;
			}
			break;
		case 'c':
			crd_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return MTV_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument \"%s\"", argv[optind]);
		usage(stderr);
		return MTV_EXIT_USAGE;
	}
	if (!sim.state_dir) {
		log_error("--state-dir is required");
		usage(stderr);
		return MTV_EXIT_USAGE;
	}
	if (!world) {
		const char *src = getenv("MTV_SRC_DIR");
		snprintf(world_default, sizeof(world_default), "%s%stests/fixtures/worlds/default.json",
			 src ? src : "", src ? "/" : "");
		world = world_default;
	}
	sim.rng = sim.seed ? sim.seed * 2654435761u : 0x9e3779b9u;
	if (!sim.rng)
		sim.rng = 1;
	if (faults_parse(faults, &sim.faults, &err)) {
		log_error("%s", err.msg);
		return err.code;
	}
	if (mkdir(sim.state_dir, 0755) && errno != EEXIST) {
		log_error("--state-dir %s: %s", sim.state_dir, strerror(errno));
		return MTV_EXIT_ENV;
	}
	sim_lock_init(&sim);
	clock_gettime(CLOCK_MONOTONIC, &sim.start);
	sim.start_wall = time(NULL);
	store_init(&sim.store);
	sim.logs = cJSON_CreateObject();
	sim.stats = cJSON_CreateObject();
	cJSON_AddObjectToObject(sim.stats, "requests");
	cJSON_AddNumberToObject(sim.stats, "total", 0);
	cJSON_AddObjectToObject(sim.stats, "plans");
	g_sim = &sim;

	if (crd_dir && crd_load_dir(crd_dir, &err)) {
		log_error("%s", err.msg);
		return err.code;
	}
	if (world_load(&sim, world, &err)) {
		log_error("%s", err.msg);
		return err.code;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		log_error("no randomness for the bearer token");
		return MTV_EXIT_ENV;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(sim.token + 2 * i, 3, "%02x", rnd[i]);
	if (tls_generate(&sim, &err)) {
		log_error("%s", err.msg);
		return err.code;
	}
	{
		char path[4096];
		snprintf(path, sizeof(path), "%s/requests.log", sim.state_dir);
		sim.reqlog = fopen(path, "a");
		if (!sim.reqlog) {
			log_error("%s: %s", path, strerror(errno));
			return MTV_EXIT_ENV;
		}
	}
	/* Signals go to sigwait in main only; every other thread blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = server_start(&sim, port, &err);
	if (!d) {
		log_error("%s", err.msg);
		return err.code;
	}
	/* Before seeding: the Route and providers.json name these ports. */
	if (server_start_route(&sim, &err) || endpoints_start(&sim, &err) || vcsim_backends_start(&sim, &err)) {
		log_error("%s", err.msg);
		vcsim_backends_stop(&sim);
		endpoints_stop(&sim);
		MHD_stop_daemon(d);
		return err.code;
	}
	sim_wrlock(&sim);
	auth_seed(&sim);
	if (world_seed(&sim, &err)) {
		sim_unlock(&sim);
		log_error("%s", err.msg);
		MHD_stop_daemon(d);
		return err.code;
	}
	sim_unlock(&sim);
	if (write_state(&sim, &err)) {
		log_error("%s", err.msg);
		MHD_stop_daemon(d);
		return err.code;
	}
	pthread_create(&ctl, NULL, controller_main, &sim);
	log_info("listening on https://127.0.0.1:%d (state in %s, speed %g)", sim.port, sim.state_dir, sim.speed);

	sigwait(&set, &sig);
	log_info("got %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	sim_wrlock(&sim);
	sim.stopping = 1;
	sim_notify(&sim);
	sim_unlock(&sim);
	pthread_join(ctl, NULL);
	vcsim_backends_stop(&sim);
	endpoints_stop(&sim);
	MHD_stop_daemon(sim.route_daemon);
	MHD_stop_daemon(d);
	{
		char path[4096];
		snprintf(path, sizeof(path), "%s/port", sim.state_dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/pid", sim.state_dir);
		unlink(path);
	}
	fclose(sim.reqlog);
	store_release(&sim.store);
	cJSON_Delete(sim.world);
	cJSON_Delete(sim.logs);
	cJSON_Delete(sim.stats);
	free(sim.ca_pem);
	free(sim.cert_pem);
	free(sim.key_pem);
	free(sim.client_cert_pem);
	free(sim.client_key_pem);
	cJSON_Delete(sim.sa_tokens);
	tls_release(&sim.ingress);
	return 0;
}
