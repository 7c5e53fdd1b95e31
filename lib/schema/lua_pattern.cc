// Lua 5.1 pattern matcher: a backtracking matcher over pattern items, as in Lua's lstrlib.
#include "schema/lua_pattern.h"

#include <cstddef>

namespace kong::schema {
namespace {

constexpr char kEsc = '%';

bool IsAlpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsCntrl(unsigned char c) { return c < 32 || c == 127; }
bool IsPunct(unsigned char c) { return c > 32 && c < 127 && !IsAlpha(c) && !IsDigit(c); }
bool IsXdigit(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// One class letter after '%': lower case matches, upper case negates; others are literals.
bool MatchClass(unsigned char c, unsigned char cl) {
  bool res;
  switch (cl | 0x20) {
    case 'a': res = IsAlpha(c); break;
    case 'c': res = IsCntrl(c); break;
    case 'd': res = IsDigit(c); break;
    case 'l': res = IsLower(c); break;
    case 'p': res = IsPunct(c); break;
    case 's': res = IsSpace(c); break;
    case 'u': res = IsUpper(c); break;
    case 'w': res = IsAlpha(c) || IsDigit(c); break;
    case 'x': res = IsXdigit(c); break;
    case 'z': res = c == 0; break;
    default: return cl == c;
  }
  return IsUpper(cl) ? !res : res;
}

class Matcher {
 public:
  Matcher(std::string_view s, std::string_view p)
      : s_begin_(s.data()), s_end_(s.data() + s.size()), p_end_(p.data() + p.size()) {}

  // Returns the end of the match of pattern [p, p_end_) at s, or nullptr.
  const char* Match(const char* s, const char* p) {
    if (++depth_ > 400) return Fail();  // bound recursion on pathological patterns
    while (true) {
      if (p == p_end_) return Leave(s);
      switch (*p) {
        case '(':
          if (p + 1 < p_end_ && p[1] == ')') { p += 2; continue; }  // position capture
          ++p;
          continue;
        case ')':
          ++p;
          continue;
        case '$':
          if (p + 1 == p_end_) return Leave(s == s_end_ ? s : nullptr);
          break;
        case kEsc:
          if (p + 1 >= p_end_) return Fail();
          if (p[1] == 'b') {
            s = MatchBalance(s, p + 2);
            if (s == nullptr) return Leave(nullptr);
            p += 4;
            continue;
          }
          if (p[1] == 'f') {
            p += 2;
            if (p >= p_end_ || *p != '[') return Fail();
            const char* ep = ClassEnd(p);
            if (ep == nullptr) return Fail();
            unsigned char prev = s == s_begin_ ? 0 : static_cast<unsigned char>(s[-1]);
            unsigned char cur = s == s_end_ ? 0 : static_cast<unsigned char>(*s);
            if (MatchBracket(prev, p, ep - 1) || !MatchBracket(cur, p, ep - 1)) {
              return Leave(nullptr);
            }
            p = ep;
            continue;
          }
          if (IsDigit(static_cast<unsigned char>(p[1]))) return Fail();  // back-references
          break;
        default:
          break;
      }
      const char* ep = ClassEnd(p);
      if (ep == nullptr) return Fail();
      bool m = s < s_end_ && SingleMatch(static_cast<unsigned char>(*s), p, ep);
      char q = ep < p_end_ ? *ep : '\0';
      switch (q) {
        case '?': {
          if (m) {
            const char* r = Match(s + 1, ep + 1);
            if (r != nullptr) return Leave(r);
          }
          p = ep + 1;
          continue;
        }
        case '*': return Leave(MaxExpand(s, p, ep));
        case '+': return Leave(m ? MaxExpand(s + 1, p, ep) : nullptr);
        case '-': return Leave(MinExpand(s, p, ep));
        default:
          if (!m) return Leave(nullptr);
          ++s;
          p = ep;
          continue;
      }
    }
  }

  bool failed() const { return failed_; }

 private:
  const char* Leave(const char* r) {
    --depth_;
    return r;
  }
  const char* Fail() {
    failed_ = true;
    --depth_;
    return nullptr;
  }

  // The end of the single-character class starting at p, or nullptr when malformed.
  const char* ClassEnd(const char* p) const {
    char c = *p++;
    if (c == kEsc) return p < p_end_ ? p + 1 : nullptr;
    if (c == '[') {
      if (p < p_end_ && *p == '^') ++p;
      do {
        if (p >= p_end_) return nullptr;
        c = *p++;
        if (c == kEsc) {
          if (p >= p_end_) return nullptr;
          ++p;
        }
      } while (p >= p_end_ || *p != ']');
      return p + 1;
    }
    return p;
  }

  // [p, ec] spans "[...]" with ec at the closing ']'.
  static bool MatchBracket(unsigned char c, const char* p, const char* ec) {
    bool sig = true;
    if (p[1] == '^') {
      sig = false;
      ++p;
    }
    while (++p < ec) {
      if (*p == kEsc) {
        ++p;
        if (MatchClass(c, static_cast<unsigned char>(*p))) return sig;
      } else if (p[1] == '-' && p + 2 < ec) {
        p += 2;
        if (static_cast<unsigned char>(p[-2]) <= c && c <= static_cast<unsigned char>(*p)) {
          return sig;
        }
      } else if (static_cast<unsigned char>(*p) == c) {
        return sig;
      }
    }
    return !sig;
  }

  static bool SingleMatch(unsigned char c, const char* p, const char* ep) {
    switch (*p) {
      case '.': return true;
      case kEsc: return MatchClass(c, static_cast<unsigned char>(p[1]));
      case '[': return MatchBracket(c, p, ep - 1);
      default: return static_cast<unsigned char>(*p) == c;
    }
  }

  const char* MatchBalance(const char* s, const char* p) {
    if (p + 1 >= p_end_) {
      failed_ = true;
      return nullptr;
    }
    if (s >= s_end_ || *s != *p) return nullptr;
    char b = *p, e = p[1];
    int cont = 1;
    while (++s < s_end_) {
      if (*s == e) {
        if (--cont == 0) return s + 1;
      } else if (*s == b) {
        ++cont;
      }
    }
    return nullptr;
  }

  const char* MaxExpand(const char* s, const char* p, const char* ep) {
    std::ptrdiff_t i = 0;
    while (s + i < s_end_ && SingleMatch(static_cast<unsigned char>(s[i]), p, ep)) ++i;
    for (; i >= 0; --i) {
      const char* r = Match(s + i, ep + 1);
      if (r != nullptr) return r;
      if (failed_) return nullptr;
    }
    return nullptr;
  }

  const char* MinExpand(const char* s, const char* p, const char* ep) {
    while (true) {
      const char* r = Match(s, ep + 1);
      if (r != nullptr) return r;
      if (failed_) return nullptr;
      if (s < s_end_ && SingleMatch(static_cast<unsigned char>(*s), p, ep)) {
        ++s;
      } else {
        return nullptr;
      }
    }
  }

  const char* s_begin_;
  const char* s_end_;
  const char* p_end_;
  int depth_ = 0;
  bool failed_ = false;
};

}  // namespace

bool LuaPatternFind(std::string_view subject, std::string_view pattern) {
  bool anchor = !pattern.empty() && pattern.front() == '^';
  std::string_view p = anchor ? pattern.substr(1) : pattern;
  Matcher m(subject, p);
  const char* s = subject.data();
  const char* end = subject.data() + subject.size();
  do {
    if (m.Match(s, p.data()) != nullptr) return true;
    if (m.failed()) return false;
  } while (s++ < end && !anchor);
  return false;
}

}  // namespace kong::schema
