#include "http/api_options.h"

namespace postern::http {

Result<ApiOptions, ConfigError> read_api_options(ConfigFile& file) {
  ApiOptions o;
  file.section("http").duration("max_wait", o.max_wait).text("ui_dir", o.ui_dir);
  return file.result(o);
}

}  // namespace postern::http
