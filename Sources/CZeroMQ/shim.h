#ifndef SWELL_CZEROMQ_SHIM_H
#define SWELL_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#endif
