#include "progress_tty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "json.h"

static struct progress_tty the_view;

/* The step a VM is in: the running one, else the last that started. */
static const cJSON *current_step(const cJSON *vm)
{
	const cJSON *st, *last = NULL;

	cJSON_ArrayForEach(st, json_get(vm, "pipeline")) {
		const char *ph = json_str(st, "phase", "Pending");

		if (!strcmp(ph, "Running") || !strcmp(ph, "Started") || json_get(st, "error"))
			return st;
		if (json_get(st, "started"))
			last = st;
	}
	return last ? last : cJSON_GetArrayItem(json_get(vm, "pipeline"), 0);
}

/* Percent of the disk transfer, -1 when it has no progress yet. */
static int disk_percent(const cJSON *vm)
{
	const cJSON *st;

	cJSON_ArrayForEach(st, json_get(vm, "pipeline")) {
		const char *n = json_str(st, "name", "");
		long long done = 0, total = 0;

		if (strcmp(n, "DiskTransfer") && strcmp(n, "DiskTransferV2v"))
			continue;
		json_get_int_opt(st, "progress.completed", &done, NULL);
		json_get_int_opt(st, "progress.total", &total, NULL);
		if (total <= 0)
			return -1;
		return (int)(done * 100 / total > 100 ? 100 : done * 100 / total);
	}
	return -1;
}

static bool vm_failed(const cJSON *vm)
{
	const cJSON *st;

	if (json_get(vm, "error"))
		return true;
	cJSON_ArrayForEach(st, json_get(vm, "pipeline"))
		if (json_get(st, "error"))
			return true;
	return false;
}

/* Which VMs get the lines when not all fit: the failed and the moving
 * ones first, the finished last. */
static int vm_rank(const cJSON *vm)
{
	const char *ph = json_str(vm, "phase", "");

	if (vm_failed(vm))
		return 0;
	if (!strcmp(ph, "Completed"))
		return 3;
	if (!*ph || !strcmp(ph, "Pending"))
		return 2;
	return 1;
}

static void line(struct buf *out, int cols, const char *text)
{
	size_t n = strlen(text);

	if (cols > 0 && n > (size_t)cols) {
		n = (size_t)cols;
		while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	buf_add(out, text, n);
	buf_addstr(out, "\033[K\n");	/* clear what a longer old line left */
}

void progress_tty_lines(const cJSON *plans, int rows, int cols, struct buf *out, int *nlines)
{
	const cJSON *plan, *vm;
	int total = 0, room, shown = 0;
	char l[512];

	*nlines = 0;
	if (rows < 2)
		rows = 2;
	cJSON_ArrayForEach(plan, plans) {
		int n = 0, done = 0, failed = 0;
		const char *phase = "Executing";

		cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms")) {
			n++;
			done += !strcmp(json_str(vm, "phase", ""), "Completed");
			failed += vm_failed(vm);
		}
		total += n;
		for (const char *const *c = (const char *const[]){ "Succeeded", "Failed", "Canceled", NULL }; *c; c++)
			if (json_condition_is(json_get(plan, "status.conditions"), *c, "True"))
				phase = *c;
		snprintf(l, sizeof(l), "Plan %s: %s, %d/%d VMs done, %d failed", plan->string, phase, done, n,
			 failed);
		if (*nlines < rows) {
			line(out, cols, l);
			(*nlines)++;
		}
	}
	room = rows - *nlines;
	/* a line per VM, by rank, in plan order within a rank; when they do
	 * not fit, the last line says how many are left out */
	int fit = total <= room ? total : room - 1;

	for (int rank = 0; rank <= 3 && shown < fit; rank++) {
		cJSON_ArrayForEach(plan, plans) {
			cJSON_ArrayForEach(vm, json_get(plan, "status.migration.vms")) {
				const cJSON *st;
				int pct;
				char p[32] = "";

				if (vm_rank(vm) != rank || shown >= fit)
					continue;
				st = current_step(vm);
				pct = disk_percent(vm);
				if (pct >= 0)
					snprintf(p, sizeof(p), "  disk %3d%%", pct);
				snprintf(l, sizeof(l), "  %-32s %-16s %s %s%s", json_str(vm, "name", json_str(vm, "id", "?")),
					 vm_failed(vm) ? "Failed" : json_str(vm, "phase", "Pending"),
					 st ? json_str(st, "name", "") : "-", st ? json_str(st, "phase", "Pending") : "", p);
				line(out, cols, l);
				(*nlines)++;
				shown++;
			}
		}
	}
	if (total > shown && room > 0) {
		snprintf(l, sizeof(l), "  ... and %d more", total - shown);
		line(out, cols, l);
		(*nlines)++;
	}
}

void progress_tty_frame(struct progress_tty *p, const cJSON *plan, int rows, int cols, struct buf *out)
{
	const char *name = json_str(plan, "metadata.name", "?");
	int n;

	if (!p->plans)
		p->plans = cJSON_CreateObject();
	if (cJSON_GetObjectItemCaseSensitive(p->plans, name))
		cJSON_ReplaceItemInObjectCaseSensitive(p->plans, name, cJSON_Duplicate(plan, 1));
	else
		cJSON_AddItemToObject(p->plans, name, cJSON_Duplicate(plan, 1));
	/* back to the first line of the last frame, and clear below */
	if (p->drawn > 0)
		buf_addf(out, "\033[%dA", p->drawn);
	buf_addstr(out, "\r\033[J");
	progress_tty_lines(p->plans, rows, cols, out, &n);
	p->drawn = n;
}

bool progress_tty_show(const cJSON *plan)
{
	struct winsize ws = { 0 };
	struct buf out = BUF_INIT(1 << 20);
	const char *term = getenv("TERM");
	int rows = 24, cols = 0;

	if (!plan || !isatty(STDERR_FILENO) || (term && !strcmp(term, "dumb")))
		return false;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	/* one line stays free for the cursor, so the top does not scroll off */
	progress_tty_frame(&the_view, plan, rows - 1, cols, &out);
	fwrite(buf_str(&out), 1, out.len, stderr);
	fflush(stderr);
	buf_release(&out);
	return true;
}
