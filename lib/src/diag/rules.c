#include "diag/diag_int.h"

#include <string.h>

/* Keep in step with docs/rules.md: the golden tests have one fixture per id. */
const diag_rule diag_rules[] = {
	{ "file-unreadable", "The file cannot be read." },
	{ "file-too-large", "The file is larger than the documented limit." },
	{ "yaml-encoding", "The file is not valid UTF-8." },
	{ "yaml-syntax", "The file is not valid YAML." },
	{ "yaml-tab", "A tab character is used for indentation." },
	{ "yaml-multi-document", "The file holds more than one YAML document." },
	{ "yaml-unsupported", "Anchors, aliases and tags are not part of the format." },
	{ "ambiguous-scalar", "A plain scalar that YAML tools read in different ways." },
	{ "yaml-depth", "Values are nested deeper than the documented limit." },
	{ "yaml-duplicate-key", "A key appears twice in one mapping." },
	{ "empty-cadence", "The file or its list of measures is empty." },
	{ "unknown-key", "A key that the format does not define." },
	{ "missing-key", "A required key is missing." },
	{ "wrong-type", "A value of the wrong type." },
	{ "bad-enum", "A value outside the allowed set." },
	{ "bad-duration", "A duration that is not a number with a unit." },
	{ "bad-name", "A name that is not a valid identifier." },
	{ "note-binding", "A note needs exactly one of run, set and symbol." },
	{ "measure-kind", "A measure needs exactly one of then, sync, split, sequence and child." },
};

const size_t diag_rules_count = sizeof(diag_rules) / sizeof(diag_rules[0]);

long diag_rule_index(const char *id)
{
	for (size_t i = 0; i < diag_rules_count; i++)
		if (!strcmp(diag_rules[i].id, id))
			return (long)i;
	return -1;
}
