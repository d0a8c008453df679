// The programs a script starts (io.popen, os.execute, and emu.run through them) must not
// inherit the device's host sockets: a child that kept a listening socket would hold the port
// open after the device closed it (a late client then connects into a backlog nobody accepts
// from, and hangs). Asio opens and accepts sockets without SOCK_CLOEXEC; rather than one
// fcntl per socket (one per accepted connection), every descriptor is marked just before a
// program starts (lua/host_spawn.hpp), which costs one system call per program.
#pragma once

namespace nodemcu_emu::core {

// Marks every open descriptor from `first` up close-on-exec.
void close_on_exec_from(int first);

}  // namespace nodemcu_emu::core
