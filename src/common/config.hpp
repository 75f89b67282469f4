// Configuration in layers: shipped defaults (config/defaults.toml, compiled into the binary),
// then an optional local TOML file, then environment variables TRIBUNE_<SECTION>_<KEY>.
// Only keys present in the defaults exist; a local file or variable naming an unknown key,
// or giving a value of the wrong type, is an error (typos must not pass silently).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "common/result.hpp"

namespace tribune {

using ConfigValue = std::variant<bool, int64_t, double, std::string, std::vector<std::string>>;

class Config {
 public:
  // Loads defaults, then `local_file` if non-empty (must exist), then the environment `env`
  // (pass `environ`; tests pass their own array). Errors name the file/variable and key.
  static Result<Config> Load(const std::string& local_file, char** env);
  // Defaults only (tests).
  static Config Defaults();

  // Typed getters for "section.key". Abort on an unknown key or wrong type: keys are
  // compile-time knowledge, and the loader already validated types.
  bool GetBool(const std::string& key) const;
  int64_t GetInt(const std::string& key) const;
  double GetDouble(const std::string& key) const;
  const std::string& GetString(const std::string& key) const;
  const std::vector<std::string>& GetList(const std::string& key) const;

  // Overrides a key (tests, command-line flags). Returns an error for an unknown key or wrong type.
  Status Set(const std::string& key, ConfigValue value);

 private:
  std::map<std::string, ConfigValue> values_;
};

}  // namespace tribune
