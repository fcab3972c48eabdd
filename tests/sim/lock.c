/* The store lock and the watch wake-up (sim.h).  A read-write lock so the
 * API's reads need not queue behind one another; writer-preferring so a
 * stream of reads cannot starve the controller's tick. */
#include <pthread.h>
#include "sim.h"

void sim_lock_init(struct sim *sim)
{
	pthread_rwlockattr_t ra;
	pthread_condattr_t ca;

	/* writers first: a stream of readers must not starve the controller */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&sim->lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	pthread_mutex_init(&sim->notify_mu, NULL);
	pthread_mutex_init(&sim->aux, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_REALTIME);
	pthread_cond_init(&sim->changed, &ca);
	pthread_condattr_destroy(&ca);
}

void sim_rdlock(struct sim *sim)
{
	pthread_rwlock_rdlock(&sim->lock);
}

void sim_wrlock(struct sim *sim)
{
	pthread_rwlock_wrlock(&sim->lock);
}

void sim_unlock(struct sim *sim)
{
	pthread_rwlock_unlock(&sim->lock);
}

void sim_notify(struct sim *sim)
{
	pthread_mutex_lock(&sim->notify_mu);
	sim->notify_seq++;
	pthread_cond_broadcast(&sim->changed);
	pthread_mutex_unlock(&sim->notify_mu);
}
