#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <iterator>

namespace postern::app {
namespace {

// {"ts_ms":1733500000000,"level":"info","thread":123,"msg":"..."}, one a line, the message
// escaped as a JSON string.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto time =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    auto level = spdlog::level::to_string_view(msg.level);
    // Boost.JSON writes the message as a JSON string, escapes and all.
    auto text =
        boost::json::serialize(boost::json::string_view(msg.payload.data(), msg.payload.size()));
    fmt::format_to(std::back_inserter(dest), R"({{"ts_ms":{},"level":"{}","thread":{},"msg":{}}})",
                   time, std::string_view(level.data(), level.size()), msg.thread_id, text);
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                        "error", "critical", "off"};
constexpr std::string_view kFormats[] = {"text", "json"};

template <std::size_t N>
bool one_of(const std::string& value, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), value) != std::end(names);
}

}  // namespace

Result<LogOptions, ConfigError> read_log_options(ConfigFile& file) {
  LogOptions o;
  auto s = file.section("log");
  s.text("level", o.level).text("format", o.format);
  // spdlog reads an unknown level as "off": a typo would silence the log.
  s.check(one_of(o.level, kLevels), "level", "unknown level '" + o.level + "'")
      .check(one_of(o.format, kFormats), "format", "expected \"text\" or \"json\"");
  return file.result(std::move(o));
}

void configure_logging(const LogOptions& config) {
  auto logger = spdlog::stderr_logger_mt("postern");
  if (config.format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(config.level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace postern::app
