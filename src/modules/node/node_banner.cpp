#include "modules/node/node_banner.hpp"

#include "lua/lua.hpp"
#include "modules/node/node_version.hpp"

namespace nodemcu_emu::modules::node {

std::string boot_banner(int profile) {
  Version v = firmware_version(profile);
  std::string version = "NodeMCU " + std::to_string(v.major) + "." + std::to_string(v.minor) + "." +
                        std::to_string(v.revision);
  std::string date = std::string(v.dts).substr(0, 8);
  if (profile < 3) {
    // 1.5.4.1 and 2.2.1: one line, NODE_VERSION with its internal number.
    const char* sdk = profile == 1 ? "1.5.4.1(39cb9a32)" : "2.2.1(6ab97e9)";
    return "\n" + version + (profile == 1 ? ".1" : ".0") + " build " + date + " powered by " +
           LUA_RELEASE + " on SDK " + sdk + "\n";
  }
  // 3.0: the build's details, one per line (app/include/user_config.h describes them).
  return "\n" + version + ".0 \n\tbranch: " + v.branch + "\n\tcommit: " + v.commit +
         "\n\trelease: " + v.release + "\n\trelease DTS: " + v.dts +
         "\n\tSSL: false\n\tbuild type: float\n\tLFS: 0x0 bytes total capacity\n build " + date +
         " powered by " + LUA_RELEASE + " on SDK 3.0.1-dev(fce080e)\n";
}

}  // namespace nodemcu_emu::modules::node
