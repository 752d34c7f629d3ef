/* replay/suppressed.c: the end-of-run summary's line of alerts the outputs did not send as is (outputs.aggregate, outputs.rate). */
#include "replay/replay.h"

#include <inttypes.h>

#include "replay/outputs/outputs.h"

void replay_print_suppressed(const struct output_set *outs, FILE *f)
{
	if (!outs)
		return;
	struct output_set_stats st;
	output_set_stats(outs, &st);
	/* nothing suppressed: Falco's summary stays as it is */
	if (!st.aggregated && !st.throttled)
		return;
	fprintf(f,
		"Alerts suppressed: %" PRIu64 " (outputs.aggregate: %" PRIu64 " folded into %" PRIu64
		" 'more' lines; outputs.rate: %" PRIu64 " dropped)\n",
		st.aggregated + st.throttled, st.aggregated, st.aggregate_lines, st.throttled);
}
