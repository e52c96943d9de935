const cluster = require('cluster');
const http = require('http');
const os = require('os');

const numCPUs = os.cpus().length; // Get the number of CPU cores

if (cluster.isMaster) {
  console.log(`Master ${process.pid} is running`);

  // Fork workers.
  for (let i = 0; i < numCPUs; i++) {
    cluster.fork();
  }

  cluster.on('exit', (worker, code, signal) => {
    console.log(`worker ${worker.process.pid} died`);
    // You can choose to respawn the worker here if needed:
    // cluster.fork();
  });

} else {
  // Worker process
  console.log(`Worker ${process.pid} started`);

  // Create an HTTP server.
  http.createServer((req, res) => {
    res.writeHead(200);
    res.end('Hello from worker!');
    console.log(`Worker ${process.pid} handling request`);
  }).listen(8000);
}
