#ifndef SWELL_STARTUP_H
#define SWELL_STARTUP_H

/// Which of stdin (bit 0), stdout (bit 1) and stderr (bit 2) were closed when the process
/// started. Each of them is /dev/null now, so that no file, socket or pipe the process opens
/// can take its number and be written to as if it were that stream.
int swell_closed_standard_streams(void);

#endif
