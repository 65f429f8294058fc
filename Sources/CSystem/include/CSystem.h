#ifndef CSYSTEM_H
#define CSYSTEM_H
#include <stdint.h>
#include <sys/types.h>

// Thin wrappers for Linux calls Glibc's Swift module does not import (epoll, eventfd, accept4),
// taking plain integers so Swift never touches the packed `struct epoll_event`.
int csys_epoll_create(void);
int csys_epoll_add(int epfd, int fd, uint32_t events);
int csys_epoll_mod(int epfd, int fd, uint32_t events);
int csys_epoll_del(int epfd, int fd);
/// Waits; fills fds[i] and events[i]; returns the count, or -1 with errno.
int csys_epoll_wait(int epfd, int *fds, uint32_t *events, int max, int timeout_ms);
int csys_eventfd(void);
int csys_eventfd_signal(int fd);
void csys_eventfd_drain(int fd);
/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; writes the peer address as text into addr (size addrlen).
int csys_accept(int fd, char *addr, int addrlen);
/// A listening TCP socket: SO_REUSEADDR, non-blocking, close-on-exec. Returns fd or -errno.
int csys_listen(const char *host, int port, int backlog);
int csys_local_port(int fd);
int csys_set_nodelay(int fd);
/// The CPU numbers of this thread's affinity mask, at most max of them; their count, or -1.
int csys_affinity_list(int *cpus, int max);
/// Binds the calling thread to one CPU: 0, or -1 with errno.
int csys_pin_thread(int cpu);

extern const uint32_t CSYS_EPOLLIN, CSYS_EPOLLOUT, CSYS_EPOLLERR, CSYS_EPOLLHUP, CSYS_EPOLLRDHUP, CSYS_EPOLLEXCLUSIVE;
#endif
