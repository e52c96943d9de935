//! Node's cluster protocol as the primary speaks it: the `NODE_CLUSTER`
//! messages a worker sends (`online`, `queryServer`, `listening`, `close`,
//! `exitedAfterDisconnect`) and the replies to them.

use std::rc::Rc;

use serde_json::{json, Map, Value};

use super::events::code;
use super::framing::encode;
use super::listener::{bind_query, Kind, Query};
use super::primary::{Policy, Primary};
use super::scheduler::{Server, ServerKind};
use super::sys;

impl Primary {
    pub fn on_cluster(&mut self, id: u32, v: Value) {
        if v.get("act").is_none() {
            // A reply to one of ours: only `newconn` asks for one.
            if let (Some(ack), Some(accepted)) = (v["ack"].as_u64(), v.get("accepted")) {
                self.accept_reply(id, ack, accepted.as_bool().unwrap_or(false));
            }
            return;
        }
        match v["act"].as_str().unwrap_or("") {
            "online" => self.events.nums(code::ONLINE, id, &[]),
            "queryServer" => self.query_server(id, &v),
            "listening" => self
                .events
                .raw_json(code::LISTENING, id, v.to_string().as_bytes()),
            "close" => {
                if let Some(key) = v["key"].as_str() {
                    let key: Rc<str> = Rc::from(key);
                    self.release(id, &key);
                }
            }
            "exitedAfterDisconnect" => {
                if let Some(w) = self.workers.get_mut(&id) {
                    w.disconnecting = true;
                }
                self.events.nums(code::EXITED_AFTER_DISCONNECT, id, &[]);
                self.reply(id, &v, Map::new(), None);
            }
            _ => {}
        }
    }

    /// Sends `{cmd, ack, ...fields, seq}` in answer to `to`, with `handle`
    /// attached if given (a shared listening socket).
    fn reply(
        &mut self,
        id: u32,
        to: &Value,
        fields: Map<String, Value>,
        handle: Option<(&str, Rc<std::os::fd::OwnedFd>)>,
    ) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        w.seq += 1;
        let mut msg = fields;
        msg.insert("cmd".into(), "NODE_CLUSTER".into());
        msg.insert("ack".into(), to["seq"].clone());
        msg.insert("seq".into(), w.seq.into());
        let mode = w.chan.mode;
        match handle {
            None => {
                let bytes = encode(mode, &Value::Object(msg));
                self.write(id, bytes, None, 0);
            }
            Some((kind, fd)) => {
                let wrapped =
                    json!({"cmd": "NODE_HANDLE", "type": kind, "msg": Value::Object(msg)});
                let bytes = encode(mode, &wrapped);
                self.write_handle(id, bytes, fd, 0, 0);
            }
        }
    }

    fn query_server(&mut self, id: u32, m: &Value) {
        let Some(w) = self.workers.get(&id) else {
            return;
        };
        // Node's primary ignores a leaving worker's listen(): it is about
        // to exit and must not get new servers.
        if w.disconnecting {
            return;
        }
        let q = Query::from_message(m);
        let key: Rc<str> = Rc::from(server_key(m));
        match self.servers.get(&key) {
            // A second listen() on one key by one worker would need a socket
            // of its own on a port that is taken.
            Some(s) if s.workers.contains(&id) => {
                self.reply_error(id, m, &key, -libc::EADDRINUSE);
                return;
            }
            Some(_) => {}
            None => {
                if let Err(errno) = self.open_server(&key, &q, m) {
                    // Nothing is kept, so another worker may try again.
                    self.reply_error(id, m, &key, errno);
                    return;
                }
            }
        }
        let Some(server) = self.servers.get_mut(&key) else {
            return;
        };
        if server.data.is_null() {
            server.data = m["data"].clone();
        }
        let mut fields = Map::new();
        fields.insert("errno".into(), 0.into());
        fields.insert("key".into(), Value::String(key.to_string()));
        fields.insert("data".into(), server.data.clone());
        let kind = if q.kind.is_udp() {
            "dgram.Native"
        } else {
            "net.Native"
        };
        match &mut server.kind {
            ServerKind::Dispatch(d) => {
                if let Some(name) = &d.sockname {
                    fields.insert("sockname".into(), name.clone());
                }
                server.workers.push(id);
                self.reply(id, m, fields, None);
                // Connections may already be waiting for a worker.
                self.dispatch(&key);
            }
            ServerKind::Shared(fd) => {
                let fd = fd.clone();
                server.workers.push(id);
                self.reply(id, m, fields, Some((kind, fd)));
            }
            ServerKind::ReusePort(r) => match r.socket_for(id, &q) {
                Ok(fd) => {
                    server.workers.push(id);
                    self.reply(id, m, fields, Some((kind, fd)));
                }
                Err(e) => {
                    if server.workers.is_empty() {
                        self.servers.remove(&key);
                    }
                    self.reply_error(id, m, &key, sys::uv_code(&e));
                }
            },
        }
    }

    /// Binds a new server under `key`. The policy decides its kind; UDP is
    /// always shared, and a Unix socket cannot be a reuseport group, so it
    /// is dispatched round-robin instead.
    fn open_server(&mut self, key: &Rc<str>, q: &Query, m: &Value) -> Result<(), i32> {
        let kind = match self.policy {
            _ if q.kind.is_udp() => Policy::None,
            Policy::ReusePort if q.kind == Kind::Unix || q.fd.is_some() => Policy::RoundRobin,
            p => p,
        };
        let listening = !matches!(kind, Policy::None | Policy::ReusePort);
        let bound =
            bind_query(q, listening, kind == Policy::ReusePort).map_err(|e| sys::uv_code(&e))?;
        let gen = self.next_server;
        self.next_server += 1;
        let server =
            Server::new(key, gen, bound, kind, m["data"].clone()).map_err(|e| sys::uv_code(&e))?;
        let acceptor = server.acceptor();
        self.servers.insert(key.clone(), server);
        if let Some(parts) = acceptor {
            super::tasks::spawn_accept(self.me.clone(), key.clone(), gen, parts);
        }
        Ok(())
    }

    fn reply_error(&mut self, id: u32, m: &Value, key: &str, errno: i32) {
        let mut fields = Map::new();
        fields.insert("errno".into(), errno.into());
        fields.insert("key".into(), key.into());
        fields.insert("data".into(), Value::Null);
        self.reply(id, m, fields, None);
    }
}

/// The key Node's primary files a server under: address, port, address
/// type and fd as JS would print them, plus the worker's server index when
/// the port is 0 (each such listen() is its own server).
pub fn server_key(m: &Value) -> String {
    let mut key = format!(
        "{}:{}:{}:{}",
        js_string(m.get("address")),
        js_string(m.get("port")),
        js_string(m.get("addressType")),
        js_string(m.get("fd"))
    );
    if m["port"].as_f64() == Some(0.0) {
        key.push(':');
        key.push_str(&js_string(m.get("index")));
    }
    key
}

/// How a JS template literal shows a JSON value (`undefined` when absent).
fn js_string(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Some(Value::Array(_)) => String::new(),
        Some(Value::Object(_)) => "[object Object]".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_like_node() {
        let m = json!({"address": null, "port": 8000, "addressType": 4, "index": 0});
        assert_eq!(server_key(&m), "null:8000:4:undefined");
        let m = json!({"address": "127.0.0.1", "port": 0, "addressType": 4, "index": 2});
        assert_eq!(server_key(&m), "127.0.0.1:0:4:undefined:2");
        let m = json!({"address": "/tmp/s", "port": -1, "addressType": -1, "fd": 5});
        assert_eq!(server_key(&m), "/tmp/s:-1:-1:5");
    }
}
