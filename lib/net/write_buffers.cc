// Write buffers: a bounded vector of spare strings per thread.
#include "net/write_buffers.h"

#include <utility>
#include <vector>

namespace kong::net {
namespace {

constexpr size_t kKeptBuffers = 64;       // a worker's concurrent heads, roughly
constexpr size_t kKeptCapacity = 16384;   // heads, not bodies

struct Spares {
  std::vector<std::string> buffers;
  bool alive = true;
  ~Spares() { alive = false; }
};

Spares& ThreadSpares() {
  // initial-exec: no __tls_get_addr call per head (the library is linked, not dlopen()ed).
  [[gnu::tls_model("initial-exec")]] thread_local Spares spares;
  return spares;
}

}  // namespace

std::string TakeWriteBuffer() {
  Spares& s = ThreadSpares();
  if (!s.alive || s.buffers.empty()) return std::string();
  std::string out = std::move(s.buffers.back());
  s.buffers.pop_back();
  return out;
}

void RecycleWriteBuffer(std::string&& buffer) {
  if (buffer.capacity() > kKeptCapacity || buffer.capacity() < 64) return;
  Spares& s = ThreadSpares();
  if (!s.alive || s.buffers.size() >= kKeptBuffers) return;
  if (s.buffers.capacity() == 0) s.buffers.reserve(kKeptBuffers);
  buffer.clear();
  s.buffers.push_back(std::move(buffer));
}

}  // namespace kong::net
