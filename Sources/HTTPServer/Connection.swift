#if canImport(Glibc)
    import Glibc
#endif

/// One client connection's socket: carries out its state machine's actions (read, write, arm the timer,
/// close). Confined to its event loop's thread.
final class Connection {
    let fd: Int32
    unowned let loop: EventLoop
    var machine: ConnectionStateMachine
    var registeredEvents: UInt32 = 0
    /// When the state machine wants `timerFired` (monotonic nanoseconds).
    var deadline: Int64?
    var isClosed = false
    var isResumeScheduled = false

    init(fd: Int32, remoteAddress: String, loop: EventLoop, now: Int64) {
        self.fd = fd
        self.loop = loop
        machine = ConnectionStateMachine(
            config: loop.config, handler: loop.handler, remoteAddress: remoteAddress,
            env: loop, now: now)
    }

    func onReadable(now: Int64) {
        let scratch = loop.readBuffer  // the loop's one receive buffer; its bytes are copied into the parser at once
        var actions: ConnectionActions
        repeat {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n > 0 {
                actions = machine.received(UnsafeRawBufferPointer(rebasing: scratch[0..<n]), now: now)
                if n < scratch.count && !machine.isDraining { break }  // draining: read until EAGAIN
            } else if n == 0 {
                actions = machine.peerClosed(now: now)
            } else if errno == EINTR {
                actions = ConnectionActions(read: true)
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                actions = machine.readWouldBlock(now: now)
                break
            } else {
                actions = machine.socketFailed(now: now)
            }
        } while actions.read && !actions.close
        perform(actions, now: now)
    }

    func onWritable(now: Int64) { perform(machine.actions(now: now), now: now) }

    func timerFired(now: Int64) { perform(machine.timerFired(now: now), now: now) }

    func resume(now: Int64) {
        isResumeScheduled = false
        perform(machine.resume(now: now), now: now)
    }

    /// A request already in the socket buffer is read and answered (not reset by a close).
    func startDrain(deadline: Int64, now: Int64) {
        _ = machine.startDrain(deadline: deadline, now: now)
        onReadable(now: now)
    }

    /// Writes while the client takes bytes, then sets epoll interest and the timer, or closes.
    func perform(_ first: ConnectionActions, now: Int64) {
        var actions = first
        while actions.write && !actions.close {
            let n = machine.withPendingOutput { p in Glibc.send(fd, p.baseAddress, p.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                actions = machine.wrote(n, now: now)
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                actions = machine.writeWouldBlock(now: now)
                break
            } else {
                actions = machine.socketFailed(now: now)
            }
        }
        if actions.close {
            close()
            return
        }
        deadline = actions.deadline
        loop.setInterest(self, read: actions.read, write: actions.write)
        if actions.resume && !isResumeScheduled {
            isResumeScheduled = true
            loop.ready.append(self)
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        if !machine.isClosed { _ = machine.socketFailed(now: 0) }  // reports an exchange left unanswered
        loop.remove(self)
        Glibc.close(fd)
    }
}
