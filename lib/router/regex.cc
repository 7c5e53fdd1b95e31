// PCRE2 behind Regex: compiled once per snapshot, JIT when available, match data per thread.
#include "router/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace kong::router {

struct Regex::Code {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Code() {
    if (code != nullptr) pcre2_code_free(code);
  }
};

namespace {

// One match-data block per thread, grown on demand: pcre2_code is read-only once compiled
// (JIT included), so only the ovector needs to be private to the calling thread.
pcre2_match_data* ThreadMatchData(uint32_t pairs) {
  struct Holder {
    pcre2_match_data* md = nullptr;
    uint32_t pairs = 0;
    ~Holder() {
      if (md != nullptr) pcre2_match_data_free(md);
    }
  };
  // initial-exec: no __tls_get_addr call per lookup (the library is linked, not dlopen()ed).
  [[gnu::tls_model("initial-exec")]] thread_local Holder holder;
  if (holder.pairs < pairs) {
    if (holder.md != nullptr) pcre2_match_data_free(holder.md);
    holder.pairs = pairs < 16 ? 16 : pairs;
    holder.md = pcre2_match_data_create(holder.pairs, nullptr);
  }
  return holder.md;
}

}  // namespace

Result<std::unique_ptr<Regex>> Regex::Compile(std::string_view pattern, bool jit) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* compiled = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()),
                                       pattern.size(), PCRE2_DOLLAR_ENDONLY, &code, &offset,
                                       nullptr);
  if (compiled == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof msg);
    return Status::InvalidArgument("invalid regex '" + std::string(pattern) +
                                   "': " + reinterpret_cast<const char*>(msg) + " at offset " +
                                   std::to_string(offset));
  }
  std::unique_ptr<Regex> re(new Regex());
  re->code_ = std::make_unique<Code>();
  re->code_->code = compiled;
  re->code_->jit = jit && pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE) == 0;
  pcre2_pattern_info(compiled, PCRE2_INFO_CAPTURECOUNT, &re->group_count_);
  uint32_t name_count = 0, entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(compiled, PCRE2_INFO_NAMECOUNT, &name_count);
  pcre2_pattern_info(compiled, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(compiled, PCRE2_INFO_NAMETABLE, &table);
  for (uint32_t i = 0; i < name_count; ++i) {
    PCRE2_SPTR entry = table + static_cast<size_t>(i) * entry_size;
    size_t number = (static_cast<size_t>(entry[0]) << 8) | entry[1];
    re->names_.emplace_back(reinterpret_cast<const char*>(entry + 2), number);
  }
  return re;
}

Regex::~Regex() = default;

bool Regex::Search(std::string_view subject) const { return Search(subject, nullptr); }

bool Regex::Search(std::string_view subject,
                   std::vector<std::optional<std::pair<size_t, size_t>>>* groups) const {
  pcre2_match_data* md = ThreadMatchData(group_count_ + 1);
  auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  int rc = code_->jit ? pcre2_jit_match(code_->code, s, subject.size(), 0, 0, md, nullptr)
                      : pcre2_match(code_->code, s, subject.size(), 0, 0, md, nullptr);
  if (rc < 0) return false;
  if (groups != nullptr) {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    groups->assign(group_count_ + 1, std::nullopt);
    for (uint32_t i = 0; i <= group_count_ && static_cast<int>(i) < rc; ++i) {
      if (ov[2 * i] == PCRE2_UNSET) continue;
      (*groups)[i] = std::make_pair(static_cast<size_t>(ov[2 * i]),
                                    static_cast<size_t>(ov[2 * i + 1] - ov[2 * i]));
    }
  }
  return true;
}

}  // namespace kong::router
