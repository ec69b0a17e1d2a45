// A live order book over the execution stack's public WebSocket feed: subscribe, apply the
// sequenced messages (book-feed.ts), ask for a fresh snapshot after a gap, and reconnect with
// backoff when the connection drops, saying so (the screen marks the book stale meanwhile).
import { useEffect, useReducer, useRef, useState } from 'react';
import { applyFeed, emptyBook, type FeedMessage, type LiveBook } from './book-feed';

const RECONNECT_MS_MAX = 10_000;
const RECONNECT_MS_BASE = 250;

export type FeedConnection = 'connecting' | 'live' | 'reconnecting';

/** `feedUrl` is the feed's ws(s):// address; undefined keeps the book empty (no feed configured). */
export function useLiveBook(feedUrl: string | undefined, instrumentId: string): { book: LiveBook; connection: FeedConnection } {
  const [book, dispatch] = useReducer(applyFeed, instrumentId, emptyBook);
  const [connection, setConnection] = useState<FeedConnection>('connecting');
  const socketRef = useRef<WebSocket | undefined>(undefined);
  useEffect(() => {
    if (!feedUrl || !instrumentId) return undefined;
    let socket: WebSocket | undefined;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      socket = new WebSocket(feedUrl);
      socketRef.current = socket;
      socket.onopen = () => {
        attempt = 0;
        socket?.send(JSON.stringify({ op: 'subscribe', instrumentId }));
      };
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as FeedMessage;
        if (message.type === 'snapshot') setConnection('live');
        dispatch(message);
      };
      socket.onclose = () => {
        if (closed) return;
        setConnection('reconnecting');
        attempt += 1;
        timer = setTimeout(connect, Math.min(RECONNECT_MS_MAX, RECONNECT_MS_BASE * 2 ** attempt));
      };
    };
    connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    };
  }, [feedUrl, instrumentId]);
  useEffect(() => {
    // A gap: ask the server for a fresh snapshot on the open connection.
    if (!book.needsSnapshot) return;
    socketRef.current?.send(JSON.stringify({ op: 'snapshot', instrumentId }));
    dispatch({ type: 'resync-requested' });
  }, [book.needsSnapshot, instrumentId]);
  return { book, connection };
}
