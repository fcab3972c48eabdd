/* The shipped scenario catalog (shared/tests_params.json), compiled into the
 * binaries so a step finds it wherever it is installed or built. */
#include <stddef.h>

#include "scenario.h"

__asm__(".section .rodata\n"
	".balign 16\n"
	"mtv_builtin_catalog:\n"
	".incbin \"shared/tests_params.json\"\n"
	"mtv_builtin_catalog_end:\n"
	".byte 0\n"
	".previous\n");

extern const char mtv_builtin_catalog[];
extern const char mtv_builtin_catalog_end[];

const char *scenario_builtin_catalog(size_t *len)
{
	*len = (size_t)(mtv_builtin_catalog_end - mtv_builtin_catalog);
	return mtv_builtin_catalog;
}
