#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *c = (const unsigned char *)key; *c; c++)
		h = (h ^ *c) * 1099511628211ULL;
	return h;
}

/* The slot holding key, or the free slot where it would go.  cap is a
 * power of two and never full (grow() keeps the load under one half). */
static size_t slot_of(char *const *slots, size_t cap, const char *key)
{
	size_t m = cap - 1, i = (size_t)fnv1a(key) & m;

	while (slots[i] && strcmp(slots[i], key))
		i = (i + 1) & m;
	return i;
}

static int grow(struct strset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	char **slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i])
			slots[slot_of(slots, cap, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

void strset_release(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

bool strset_has(const struct strset *s, const char *key)
{
	return s->cap && s->slots[slot_of(s->slots, s->cap, key)];
}

int strset_add(struct strset *s, const char *key)
{
	size_t i;

	if (strset_has(s, key))
		return 0;
	if (2 * (s->n + 1) > s->cap && grow(s) < 0)
		return -1;
	i = slot_of(s->slots, s->cap, key);
	if (!(s->slots[i] = strdup(key)))
		return -1;
	s->n++;
	return 1;
}
