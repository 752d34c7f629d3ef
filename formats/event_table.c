/* formats/event_table.c: the event layout table and typed parameter access. */
#include "formats/event.h"

#include <errno.h>
#include <string.h>

const struct sk_event_info sk_event_table[SK_EV__COUNT];

const struct sk_event_info *sk_event_info(uint16_t type)
{
	return type < SK_EV__COUNT ? &sk_event_table[type] : NULL;
}
