import { readFileSync } from 'node:fs';

/**
 * The kernel slab caches a loopback TCP connection lives in (each end: the socket, its inode,
 * the open file, its dentry, the epoll entry). Machine-wide: other processes' churn is noise.
 */
const SOCKET_CACHES = [
  'TCP',
  'TCPv6',
  'sock_inode_cache',
  'filp',
  'dentry',
  'eventpoll_epi',
  'eventpoll_pwq',
];

/** Bytes in the socket caches now (active objects x object size), or NaN when unreadable. */
export function socketSlabBytes(): number {
  let text: string;
  try {
    text = readFileSync('/proc/slabinfo', 'utf8');
  } catch {
    return Number.NaN; // readable as root only
  }
  let total = 0;
  for (const line of text.split('\n')) {
    const [name, active, , size] = line.split(/\s+/);
    if (name && SOCKET_CACHES.includes(name)) total += Number(active) * Number(size);
  }
  return total;
}
