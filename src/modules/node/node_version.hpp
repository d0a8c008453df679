// The firmware release each profile (--firmware) stands for: node.info() and the boot banner.
#pragma once

namespace nodemcu_emu::modules::node {

struct Version {
  int major, minor, revision;
  const char *branch, *commit, *release, *dts;
};

inline Version firmware_version(int profile) {
  // app/include/user_version.h@1.5.4.1-master_20161201: NODE_VERSION 1.5.4 (internal 1).
  if (profile == 1)
    return {1, 5, 4, "master", "81ec3665cb5fe68eb8596612485cc206b65659c9",
            "1.5.4.1-master_20161201", "20161201000000"};
  if (profile == 2)
    return {2, 2, 1, "master", "4905381c004bdeaf744a60bb940c1906c2e052d4", "2.2.1-master_20190405",
            "20190405000000"};
  return {3, 0, 0, "release", "4b92eab71a3573a3f948977878514de7def76ff8", "3.0.0-release_20240225",
          "20240225000000"};
}

}  // namespace nodemcu_emu::modules::node
