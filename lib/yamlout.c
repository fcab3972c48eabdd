#include "yamlout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return buf_add(data, buffer, size) == 0;
}

static int emit_scalar(yaml_emitter_t *em, const char *value, int plain_ok)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)value, (int)strlen(value),
				     plain_ok, !plain_ok,
				     plain_ok ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return yaml_emitter_emit(em, &ev);
}

/* Strings that YAML would read back as something else must be quoted. */
static int needs_quotes(const char *s)
{
	static const char *const special[] = { "true", "false", "yes", "no", "on", "off", "null",
					       "True", "False", "Yes", "No", "On", "Off", "Null",
					       "TRUE", "FALSE", "NULL", "~", "" };
	char *end;

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (!strcmp(s, special[i]))
			return 1;
	strtod(s, &end);
	return *s && !*end;
}

static int emit_node(yaml_emitter_t *em, const cJSON *node)
{
	yaml_event_t ev;
	const cJSON *it;
	char num[64];

	if (cJSON_IsObject(node)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return 0;
		cJSON_ArrayForEach(it, node) {
			if (!emit_scalar(em, it->string, !needs_quotes(it->string)) || !emit_node(em, it))
				return 0;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev);
	}
	if (cJSON_IsArray(node)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(em, &ev))
			return 0;
		cJSON_ArrayForEach(it, node) {
			if (!emit_node(em, it))
				return 0;
		}
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(em, &ev);
	}
	if (cJSON_IsString(node))
		return emit_scalar(em, node->valuestring, !needs_quotes(node->valuestring));
	if (cJSON_IsBool(node))
		return emit_scalar(em, cJSON_IsTrue(node) ? "true" : "false", 1);
	if (cJSON_IsNumber(node)) {
		if (node->valuedouble == (double)(long long)node->valuedouble)
			snprintf(num, sizeof(num), "%lld", (long long)node->valuedouble);
		else
			snprintf(num, sizeof(num), "%.17g", node->valuedouble);
		return emit_scalar(em, num, 1);
	}
	return emit_scalar(em, "null", 1);
}

int yaml_from_json(struct buf *out, const cJSON *doc)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	int ok;

	if (!yaml_emitter_initialize(&em))
		return -1;
	yaml_emitter_set_output(&em, write_handler, out);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	ok = ok && yaml_emitter_emit(&em, &ev);
	ok = ok && emit_node(&em, doc);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&em, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&em, &ev);
	ok = ok && yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	return ok ? 0 : -1;
}

int render_doc(struct buf *out, const char *format, const cJSON *doc)
{
	char *text;
	int r;

	if (format && !strcmp(format, "yaml"))
		return yaml_from_json(out, doc);
	text = cJSON_Print(doc);
	if (!text)
		return -1;
	r = buf_addstr(out, text) < 0 || buf_addch(out, '\n') < 0 ? -1 : 0;
	cJSON_free(text);
	return r;
}
