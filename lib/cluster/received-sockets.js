'use strict';

// Sockets a worker's server sent to the primary stay counted on the
// worker's side: its server.close() and getConnections() ask the primary
// (NODE_SOCKET_NOTIFY_CLOSE / NODE_SOCKET_GET_COUNT) how many are still
// open, and close() waits for NODE_SOCKET_ALL_CLOSED.

class ReceivedSockets {
  constructor(proc) {
    this._proc = proc;
    // key -> { open, waiting }
    this._lists = new Map();
    proc.on('internalMessage', (msg) => this._onQuery(msg));
  }

  _list(key) {
    let list = this._lists.get(key);
    if (list === undefined) {
      list = { open: 0, waiting: false };
      this._lists.set(key, list);
    }
    return list;
  }

  add(key, socket) {
    const list = this._list(key);
    list.open++;
    socket.once('close', () => {
      if (--list.open === 0 && list.waiting) {
        list.waiting = false;
        this._proc._sendInternal({ cmd: 'NODE_SOCKET_ALL_CLOSED', key });
      }
    });
  }

  _onQuery(msg) {
    if (msg.cmd === 'NODE_SOCKET_NOTIFY_CLOSE') {
      const list = this._list(msg.key);
      if (list.open === 0) this._proc._sendInternal({ cmd: 'NODE_SOCKET_ALL_CLOSED', key: msg.key });
      else list.waiting = true;
    } else if (msg.cmd === 'NODE_SOCKET_GET_COUNT') {
      const list = this._list(msg.key);
      this._proc._sendInternal({ cmd: 'NODE_SOCKET_COUNT', key: msg.key, count: list.open });
    }
  }
}

module.exports = ReceivedSockets;
