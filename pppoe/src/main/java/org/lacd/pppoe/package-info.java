/** PPPoE access server and partial PPP (LCP, PAP, CHAP) up to learning the subscriber's username. Knows nothing of L2TP or RADIUS. */
package org.lacd.pppoe;
