// bench/mqtt_pub.js PORT QOS COUNT: the loop of bench/mqtt_pub.lua on Node.js with npm `mqtt`
// (installed project-local by bench/mqtt.sh): COUNT publishes of 64 bytes, "publishes/s <rate>"
// when the last callback ran (QoS 0: written; QoS 1: PUBACK). Each publish is made from the
// previous one's callback: one in flight, as the firmware's queue sends them (and mqtt.js
// degrades on a tight loop of thousands: one "drain" listener per pending publish).
const mqtt = require(process.env.MQTT_JS || "mqtt");
const [port, qos, count] = process.argv.slice(2).map(Number);
const payload = "x".repeat(64);
const c = mqtt.connect({ host: "127.0.0.1", port, clientId: `bench-node-${qos}`, keepalive: 60, reconnectPeriod: 0 });
c.on("error", (e) => { console.log("connect failed", e.message); process.exit(1); });
c.on("connect", () => {
  let done = 0;
  const t0 = process.hrtime.bigint();
  const next = () => {
    if (done === count) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(`publishes/s ${Math.round(count / s)}`);
      c.end();
      return;
    }
    done++;
    c.publish("bench/node", payload, { qos, retain: false }, next);
  };
  next();
});
