// Every host socket of the device is closed in the programs a script starts (io.popen,
// emu.run): Asio opens sockets without SOCK_CLOEXEC, and a child that inherited a listening
// socket would keep the port open after the device closed it (a late client then connects into
// a backlog nobody accepts from, and hangs).
#pragma once

#include <fcntl.h>

namespace nodemcu_emu::core::ip {

inline void close_on_exec(int fd) {
  if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

}  // namespace nodemcu_emu::core::ip
