// Symbol visibility for the public API of libkonghybrid.
#ifndef KONG_EXPORT_H_
#define KONG_EXPORT_H_

#if defined(KONG_BUILDING_LIBRARY)
#define KONG_EXPORT __attribute__((visibility("default")))
#else
#define KONG_EXPORT
#endif

#endif  // KONG_EXPORT_H_
