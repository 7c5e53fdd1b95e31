// zlib-backed gzip compress/decompress; inflation is chunked so the cap is checked as it grows.
#include "cluster/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace kong::cluster {
namespace {

// windowBits 15 with +16 selects the gzip wrapper instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;
// Kong inflates and deflates in 64 KiB chunks; the same bound keeps our overshoot small.
constexpr size_t kChunk = 64 * 1024;

const char* ZlibMessage(const z_stream& zs, int rc) {
  return zs.msg != nullptr ? zs.msg : zError(rc);
}

}  // namespace

Result<std::string> GzipCompress(std::string_view data) {
  z_stream zs{};
  int rc = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                        Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) return Status::Internal(std::string("gzip: deflateInit2 failed: ") + zError(rc));
  std::string out;
  out.resize(deflateBound(&zs, data.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  size_t in_left = data.size();
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  size_t out_left = out.size();
  // avail_in/avail_out are 32-bit: feed in slices so payloads over 4 GiB would still work.
  do {
    if (zs.avail_in == 0 && in_left > 0) {
      zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
      in_left -= zs.avail_in;
    }
    if (zs.avail_out == 0) {
      if (out_left == 0) {
        size_t used = out.size();
        out.resize(used + kChunk);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        out_left = kChunk;
      }
      zs.avail_out = static_cast<uInt>(std::min<size_t>(out_left, UINT_MAX));
      out_left -= zs.avail_out;
    }
    rc = deflate(&zs, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
  } while (rc == Z_OK || rc == Z_BUF_ERROR);
  if (rc != Z_STREAM_END) {
    std::string msg = std::string("gzip: deflate failed: ") + ZlibMessage(zs, rc);
    deflateEnd(&zs);
    return Status::Internal(std::move(msg));
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Result<std::string> GzipDecompress(std::string_view gzip, size_t max_output) {
  z_stream zs{};
  int rc = inflateInit2(&zs, kGzipWindowBits);
  if (rc != Z_OK) return Status::Internal(std::string("gzip: inflateInit2 failed: ") + zError(rc));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  size_t in_left = gzip.size();
  std::string out;
  Status error;
  while (true) {
    if (zs.avail_in == 0 && in_left > 0) {
      zs.avail_in = static_cast<uInt>(std::min<size_t>(in_left, UINT_MAX));
      in_left -= zs.avail_in;
    }
    size_t used = out.size();
    // One byte past the cap lets us tell "exactly max_output" from "more than max_output".
    size_t remaining = max_output - used;  // used <= max_output: bigger outputs stop below
    size_t room = remaining >= kChunk ? kChunk : remaining + 1;
    out.resize(used + room);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zs.avail_out = static_cast<uInt>(room);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.resize(used + room - zs.avail_out);
    if (out.size() > max_output) {
      error = Status::InvalidArgument("payload too big");
      break;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in != 0 || in_left != 0) {
        error = Status::InvalidArgument("gzip: trailing data after the compressed payload");
      }
      break;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_left == 0) {
      error = Status::InvalidArgument("gzip: truncated compressed payload");
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error = Status::InvalidArgument(std::string("gzip: invalid compressed payload: ") +
                                      ZlibMessage(zs, rc));
      break;
    }
  }
  inflateEnd(&zs);
  if (!error.ok()) return error;
  return out;
}

}  // namespace kong::cluster
