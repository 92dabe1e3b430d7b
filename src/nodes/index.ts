// The built-in node types. A host starts with these; users register their own beside them.
import type { NodeDefinition } from '../types/node.ts';
import { assetSinkNode } from './asset-sink/index.ts';
import { rtspSourceNode } from './rtsp-source/index.ts';
import { fmp4SegmenterNode } from './fmp4-segmenter/index.ts';
import { fileSinkNode } from './file-sink/index.ts';
import { durableCacheNode } from './durable-cache/index.ts';
import { blobAssetSinkNode } from './blob-asset-sink/index.ts';
import { motionDetectionNode } from './motion-detection/index.ts';
import { signalGateNode } from './signal-gate/index.ts';
import { frameRateFilterNode } from './frame-rate-filter/index.ts';
import { httpExtensionNode } from './http-extension/index.ts';
import { grpcExtensionNode } from './grpc-extension/index.ts';
import { cognitiveServicesVisionExtensionNode } from './cognitive-services-vision-extension/index.ts';
import { iotHubMessageSourceNode } from './iot-hub-message-source/index.ts';
import { iotHubMessageSinkNode } from './iot-hub-message-sink/index.ts';

export const builtinNodes: readonly NodeDefinition[] = [
  rtspSourceNode,
  fmp4SegmenterNode,
  fileSinkNode,
  durableCacheNode,
  blobAssetSinkNode,
  assetSinkNode,
  motionDetectionNode,
  signalGateNode,
  frameRateFilterNode,
  httpExtensionNode,
  grpcExtensionNode,
  cognitiveServicesVisionExtensionNode,
  iotHubMessageSourceNode,
  iotHubMessageSinkNode,
];

export { defineNode } from './define-node.ts';
