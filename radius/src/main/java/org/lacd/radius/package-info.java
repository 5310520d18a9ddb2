/** RADIUS client: access decisions from RFC 2868 tunnel attributes, accounting, dynamic authorization. Knows nothing of PPPoE or L2TP wire formats. */
package org.lacd.radius;
