const fs = require('fs');
const http = require('http');

// 1. Streaming from a file (readable stream)
const server = http.createServer((req, res) => {
  const readStream = fs.createReadStream('./large_file.txt', { encoding: 'utf8' }); // HighWaterMark can be set

  res.writeHead(200, { 'Content-Type': 'text/plain' }); // or appropriate content type

  // Pipe the read stream to the response stream
  readStream.pipe(res);

  // Error handling for the read stream
  readStream.on('error', (err) => {
    console.error('Error reading file:', err);
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('Internal Server Error');
  });

  // Handle stream finish (optional)
  readStream.on('finish', () => {
    console.log('File stream finished');
  });
});



// 2. Streaming data (writable stream) - Example: writing to a file
const writeStream = fs.createWriteStream('./output.txt', { encoding: 'utf8' });

writeStream.write('First line\n');
writeStream.write('Second line\n');
writeStream.end(); // Important: signal the end of the stream

writeStream.on('finish', () => {
  console.log('File write stream finished');
});

writeStream.on('error', (err) => {
  console.error('Error writing to file:', err);
});



// 3. Piping streams - Example: transform stream (uppercase)
const { Transform } = require('stream');

const uppercaseStream = new Transform({
  transform(chunk, encoding, callback) {
    const uppercaseChunk = chunk.toString().toUpperCase();
    callback(null, uppercaseChunk); // First argument is the error (null if no error)
  }
});

const readStream2 = fs.createReadStream('./input.txt', { encoding: 'utf8' });
const writeStream2 = fs.createWriteStream('./output_uppercase.txt', { encoding: 'utf8' });

readStream2.pipe(uppercaseStream).pipe(writeStream2); // Chain the streams together

readStream2.on('error', (err) => console.error("Error reading input file:", err));
writeStream2.on('error', (err) => console.error("Error writing output file:", err));


// Start the server
server.listen(3000, () => {
  console.log('Server listening on port 3000');
});


