// Internal error-propagation and assertion macros (never in public headers).
#ifndef KONG_BASE_MACROS_H_
#define KONG_BASE_MACROS_H_

#include <cstdio>
#include <cstdlib>

#include "kong/status.h"

#define KONG_CONCAT_INNER_(a, b) a##b
#define KONG_CONCAT_(a, b) KONG_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define KONG_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::kong::Status kong_status_ = (expr);     \
    if (!kong_status_.ok()) return kong_status_; \
  } while (0)

// `lhs = value of Result expr`, or returns its Status from the enclosing function.
#define KONG_ASSIGN_OR_RETURN(lhs, expr) \
  KONG_ASSIGN_OR_RETURN_IMPL_(KONG_CONCAT_(kong_result_, __LINE__), lhs, expr)
#define KONG_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

// Programmer errors only (wrong thread, broken invariant); bad input gets a Status instead.
#define KONG_DCHECK(cond)                                                          \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: KONG_DCHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

#endif  // KONG_BASE_MACROS_H_
