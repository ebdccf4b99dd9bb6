// A strict JSON checker for the unit tests (no JSON library is installed): the RFC 8259
// grammar, no extensions, enough to tell that a real parser would accept a text.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <string_view>

namespace semguard_test {

// Records every object key it meets.
class JsonChecker {
 public:
  // `text` must outlive the checker.
  explicit JsonChecker(std::string_view text) : s_(text) {}
  bool Valid() {
    Space();
    if (!Value()) return false;
    Space();
    return i_ == s_.size();
  }
  size_t where() const { return i_; }
  const std::multiset<std::string>& keys() const { return keys_; }

 private:
  bool Value() {
    if (i_ >= s_.size() || ++depth_ > 64) return false;
    bool ok;
    switch (s_[i_]) {
      case '{': ok = Object(); break;
      case '[': ok = Array(); break;
      case '"': ok = String(nullptr); break;
      case 't': ok = Word("true"); break;
      case 'f': ok = Word("false"); break;
      case 'n': ok = Word("null"); break;
      default: ok = Number();
    }
    --depth_;
    return ok;
  }
  bool Object() {
    ++i_;
    Space();
    if (Eat('}')) return true;
    do {
      Space();
      std::string key;
      if (!String(&key)) return false;
      keys_.insert(key);
      Space();
      if (!Eat(':')) return false;
      Space();
      if (!Value()) return false;
      Space();
    } while (Eat(','));
    return Eat('}');
  }
  bool Array() {
    ++i_;
    Space();
    if (Eat(']')) return true;
    do {
      Space();
      if (!Value()) return false;
      Space();
    } while (Eat(','));
    return Eat(']');
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k, ++i_) {
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_]))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
      if (out != nullptr) *out += static_cast<char>(c);
    }
    return false;
  }
  bool Number() {
    size_t start = i_;
    Eat('-');
    if (Eat('0')) {
    } else if (!Digits()) {
      return false;
    }
    if (Eat('.') && !Digits()) return false;
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    return i_ > start;
  }
  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }
  bool Word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }

  std::string_view s_;
  size_t i_ = 0;
  int depth_ = 0;
  std::multiset<std::string> keys_;
};

}  // namespace semguard_test
