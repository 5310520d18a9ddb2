/** L2TPv2 LAC engine (RFC 2661): wire codec, reliable control transport, tunnels and incoming calls, data path. Knows nothing of PPPoE or RADIUS. */
package org.lacd.l2tp;
