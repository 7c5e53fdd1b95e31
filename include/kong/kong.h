// Umbrella header for libkonghybrid's public API (kong/uv.h is separate and optional).
#ifndef KONG_KONG_H_
#define KONG_KONG_H_

#include "kong/cert_gen.h"
#include "kong/cluster_status.h"
#include "kong/conf.h"
#include "kong/control_plane.h"
#include "kong/data_plane.h"
#include "kong/database.h"
#include "kong/event_loop.h"
#include "kong/export.h"
#include "kong/logger.h"
#include "kong/node_files.h"
#include "kong/status.h"
#include "kong/version.h"

#endif  // KONG_KONG_H_
