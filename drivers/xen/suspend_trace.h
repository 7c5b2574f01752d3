/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the Xen suspend cycle.  Each step event is emitted when the
 * step's enter or leave returns and carries how long it took; record with the
 * boot clock (trace-cmd record -C boot), which goes on across the hypercall.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xen_suspend

#if !defined(_XEN_SUSPEND_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _XEN_SUSPEND_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(xen_suspend_cycle_begin,
	    TP_PROTO(unsigned int nr_steps),
	    TP_ARGS(nr_steps),
	    TP_STRUCT__entry(__field(unsigned int, nr_steps)),
	    TP_fast_assign(__entry->nr_steps = nr_steps;),
	    TP_printk("steps=%u", __entry->nr_steps)
);

TRACE_EVENT(xen_suspend_step_enter,
	    TP_PROTO(const char *name, unsigned int index, int error, u64 ns),
	    TP_ARGS(name, index, error, ns),
	    TP_STRUCT__entry(__string(name, name)
			     __field(unsigned int, index)
			     __field(int, error)
			     __field(u64, us)),
	    TP_fast_assign(__assign_str(name, name);
			   __entry->index = index;
			   __entry->error = error;
			   __entry->us = div_u64(ns, NSEC_PER_USEC);),
	    TP_printk("step=%u name=%s error=%d us=%llu", __entry->index,
		      __get_str(name), __entry->error, __entry->us)
);

TRACE_EVENT(xen_suspend_step_leave,
	    TP_PROTO(const char *name, unsigned int index, bool cancelled, u64 ns),
	    TP_ARGS(name, index, cancelled, ns),
	    TP_STRUCT__entry(__string(name, name)
			     __field(unsigned int, index)
			     __field(bool, cancelled)
			     __field(u64, us)),
	    TP_fast_assign(__assign_str(name, name);
			   __entry->index = index;
			   __entry->cancelled = cancelled;
			   __entry->us = div_u64(ns, NSEC_PER_USEC);),
	    TP_printk("step=%u name=%s cancelled=%d us=%llu", __entry->index,
		      __get_str(name), __entry->cancelled, __entry->us)
);

TRACE_EVENT(xen_suspend_cycle_end,
	    TP_PROTO(unsigned int entered, int failed_step, int error, bool cancelled),
	    TP_ARGS(entered, failed_step, error, cancelled),
	    TP_STRUCT__entry(__field(unsigned int, entered)
			     __field(int, failed_step)
			     __field(int, error)
			     __field(bool, cancelled)),
	    TP_fast_assign(__entry->entered = entered;
			   __entry->failed_step = failed_step;
			   __entry->error = error;
			   __entry->cancelled = cancelled;),
	    TP_printk("entered=%u failed_step=%d error=%d cancelled=%d",
		      __entry->entered, __entry->failed_step, __entry->error,
		      __entry->cancelled)
);

#endif /* _XEN_SUSPEND_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE suspend_trace
#include <trace/define_trace.h>
